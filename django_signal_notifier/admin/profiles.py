"""Admin for users' profiles: a Telegram chat id, an X handle, time zone, quiet hours and digest frequency."""

from __future__ import annotations

from django.contrib import admin

from django_signal_notifier.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "telegram_chat_id",
        "x_handle",
        "time_zone",
        "quiet_hours_start",
        "quiet_hours_end",
        "digest_frequency",
    ]
    list_filter = ["digest_frequency"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["telegram_chat_id", "x_handle"]
