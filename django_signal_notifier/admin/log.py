"""Admin for the delivery log, events and in-site notifications (read-mostly)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_signal_notifier.delivery.tasks import enqueue_deliveries
from django_signal_notifier.inbox.cache import bump
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification
from django_signal_notifier.models.notification import NotificationQuerySet


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every message, its status and last error; retry and resend actions."""

    list_display = [
        "id",
        "channel",
        "recipient",
        "trigger",
        "status",
        "attempts",
        "short_error",
        "created_at",
        "sent_at",
    ]
    list_filter = [
        "status",
        "channel",
        ("trigger", admin.RelatedOnlyFieldListFilter),
        ("recipient", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["recipient", "trigger"]
    search_fields = ["=id", "last_error", "reason", "address", "channel", "recipient__username", "trigger__name"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    date_hierarchy = "created_at"
    actions = ["retry", "resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return Truncator(obj.last_error or obj.reason).chars(120)

    @admin.action(description=_("Retry the selected failed or dead deliveries now"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        retryable = queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD])
        ids = self._make_due(retryable, _("retried from the admin by %(user)s"), request)
        self._report(request, queryset, ids, _("%(count)d deliveries queued again."))

    @admin.action(description=_("Resend the selected sent deliveries"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        sent = queryset.filter(status=DeliveryStatus.SENT)
        ids = self._make_due(sent, _("resent from the admin by %(user)s"), request)
        self._report(request, queryset, ids, _("%(count)d deliveries will be sent again."))

    def _make_due(self, queryset: QuerySet[Any], reason: Any, request: HttpRequest) -> list[int]:
        """Reset the rows to pending, due now, with a fresh attempt budget; enqueue after commit."""
        db = queryset.db
        with transaction.atomic(using=db):
            ids = list(queryset.select_for_update().values_list("pk", flat=True))
            Delivery.objects.using(db).filter(pk__in=ids).update(
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=timezone.now(),
                claimed_until=None,
                claim_token="",
                sent_at=None,
                reason=str(reason % {"user": request.user})[:255],
            )
            if ids:
                transaction.on_commit(lambda: enqueue_deliveries(ids), using=db)
        return ids

    def _report(self, request: HttpRequest, queryset: QuerySet[Any], ids: list[int], done: Any) -> None:
        self.message_user(request, str(done % {"count": len(ids)}), messages.SUCCESS)
        ignored = queryset.count() - len(ids)
        if ignored:
            self.message_user(
                request,
                str(_("%(count)d selected deliveries were left alone: their status does not allow it."))
                % {"count": ignored},
                messages.WARNING,
            )


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
