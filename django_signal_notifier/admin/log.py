"""Admin for the delivery log, events and in-site notifications (read-mostly)."""

from __future__ import annotations

from django.contrib import admin

from django_signal_notifier.models import Delivery, Event, Notification


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "recipient", "status", "attempts", "reason", "created_at", "sent_at"]
    list_filter = ["status", "channel", "trigger", "created_at"]
    list_select_related = ["recipient"]
    search_fields = ["last_error", "reason", "address", "recipient__username"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "verb", "__str__", "created_at"]
    list_filter = ["verb"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "__str__", "unread", "archived", "created_at"]
    list_filter = ["unread", "archived", "verb"]
    list_select_related = ["recipient"]
    search_fields = ["title", "body", "recipient__username"]
    raw_id_fields = ["recipient", "event"]
