"""Admin for the delivery log, events and in-site notifications (read-mostly)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_signal_notifier.inbox.cache import bump
from django_signal_notifier.models import Delivery, Event, Notification
from django_signal_notifier.models.notification import NotificationQuerySet


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
    actions = ["mark_read", "mark_unread", "archive", "unarchive"]

    @admin.action(description=_("Mark selected notifications as read"), permissions=["change"])
    def mark_read(self, request: HttpRequest, queryset: NotificationQuerySet) -> None:
        count = queryset.mark_as_read()
        self.message_user(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected notifications as unread"), permissions=["change"])
    def mark_unread(self, request: HttpRequest, queryset: NotificationQuerySet) -> None:
        count = queryset.mark_as_unread()
        self.message_user(
            request,
            ngettext("%(count)d notification marked as unread.", "%(count)d notifications marked as unread.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Archive selected notifications"), permissions=["change"])
    def archive(self, request: HttpRequest, queryset: NotificationQuerySet) -> None:
        count = queryset.archive()
        self.message_user(
            request,
            ngettext("%(count)d notification archived.", "%(count)d notifications archived.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Move selected notifications back to the inbox"), permissions=["change"])
    def unarchive(self, request: HttpRequest, queryset: NotificationQuerySet) -> None:
        count = queryset.unarchive()
        self.message_user(
            request,
            ngettext(
                "%(count)d notification moved back to the inbox.",
                "%(count)d notifications moved back to the inbox.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        bump(None, using=queryset.db)  # deleted rows leave cached unread counts stale otherwise

    def delete_model(self, request: HttpRequest, obj: Notification) -> None:
        super().delete_model(request, obj)
        bump([obj.recipient_id], using=obj._state.db)
