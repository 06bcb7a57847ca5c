"""Admin for users' profiles: the addresses the package keeps for them (a Telegram chat id, an X handle)."""

from __future__ import annotations

from django.contrib import admin

from django_signal_notifier.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "telegram_chat_id", "x_handle"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["telegram_chat_id", "x_handle"]
