"""Admin for users' Web Push devices: which browsers each user subscribed, when they last received a push."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models import WebPushDevice


@admin.register(WebPushDevice)
class WebPushDeviceAdmin(admin.ModelAdmin):
    """Devices are registered by the browsers themselves: the admin lists them and may delete one."""

    list_display = ["user", "user_agent", "push_service", "created_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = ["created_at", "last_used_at"]
    raw_id_fields = ["user"]
    search_fields = ["user__username", "user_agent", "endpoint"]
    readonly_fields = ["endpoint", "p256dh", "auth", "created_at", "last_used_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("push service"))
    def push_service(self, device: WebPushDevice) -> str:
        return device.endpoint.split("/")[2] if device.endpoint.count("/") >= 2 else device.endpoint

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
