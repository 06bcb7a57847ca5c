"""Admin for users' notification preferences."""

from __future__ import annotations

from django.contrib import admin

from django_signal_notifier.models import Preference


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "subscription", "verb", "channel", "enabled", "updated_at"]
    list_filter = ["enabled", "channel"]
    list_select_related = ["user", "subscription"]
    raw_id_fields = ["user", "subscription"]
    search_fields = ["channel", "verb", "subscription__name"]
