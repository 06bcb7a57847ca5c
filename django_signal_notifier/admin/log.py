"""Admin for the delivery log, events and in-site notifications (read-mostly).

Deliveries and events are logs: their pages are read-only (no Save button), show the people by
name and the stored JSON indented, and leave out the outbox's internal bookkeeping (claims,
fan-out positions) unless it says something about the row's state.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.admin.display import ADMIN_MEDIA, pretty_json
from django_signal_notifier.delivery.cancel import CANCELLED
from django_signal_notifier.delivery.tasks import enqueue_deliveries
from django_signal_notifier.inbox.cache import bump
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification, Trigger
from django_signal_notifier.models.notification import NotificationQuerySet
from django_signal_notifier.preferences.times import HELD_PREFIX


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """A log's change page shows the row; it has nothing to save (actions and Delete stay)."""

    media = ADMIN_MEDIA

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [name for fieldset in self.get_fieldsets(request, obj) for name in fieldset[1]["fields"]]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        extra_context = {
            "title": capfirst(self.model._meta.verbose_name),
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)


def _admin_link(obj: Any) -> SafeString | str:
    """A link to ``obj``'s admin page when it has one, else its text."""
    if obj is None:
        return "-"
    try:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return str(obj)
    return format_html('<a href="{}">{}</a>', url, obj)


class WorkflowFilter(admin.SimpleListFilter):
    """The workflow states of the delivery log: scheduled, held, waiting, cancelled, fell back."""

    title = _("workflow")
    parameter_name = "workflow"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("scheduled", _("scheduled for later")),
            ("held", _("held by quiet hours")),
            ("waiting", _("waiting for the step before (fallback)")),
            ("cancelled", _("cancelled")),
            ("fell_back", _("fell back to the next step")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value = self.value()
        if value == "scheduled":
            return queryset.filter(status=DeliveryStatus.PENDING, next_attempt_at__gt=timezone.now(), digest_key="")
        if value == "held":
            return queryset.filter(status=DeliveryStatus.PENDING, reason__startswith=HELD_PREFIX)
        if value == "waiting":
            return queryset.filter(status=DeliveryStatus.WAITING)
        if value == "cancelled":
            return queryset.filter(status=DeliveryStatus.SKIPPED, reason=CANCELLED)
        if value == "fell_back":  # the step ended for good and its fallback step was made due
            taken_over = Delivery.objects.filter(
                event_id=OuterRef("event_id"),
                subscription_id=OuterRef("subscription_id"),
                recipient_id=OuterRef("recipient_id"),
                backend_id__gt=OuterRef("backend_id"),
                status__in=[
                    DeliveryStatus.PENDING,
                    DeliveryStatus.SENDING,
                    DeliveryStatus.SENT,
                    DeliveryStatus.FAILED,
                    DeliveryStatus.DEAD,
                ],
            )
            return queryset.filter(has_fallback=True).filter(Exists(taken_over))
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyLogAdmin):
    """The delivery log: every message, its status and last error; retry and resend actions."""

    list_display = [
        "id",
        "status",
        "recipient",
        "destination",
        "short_error",
        "sent_at",
        "due",
        "provider_status",
        "channel",
        "trigger",
        "attempts",
        "created_at",
    ]
    list_filter = [
        "status",
        WorkflowFilter,
        "provider_status",
        "channel",
        ("trigger", admin.RelatedOnlyFieldListFilter),
        ("recipient", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["recipient", "trigger"]
    search_fields = [
        "=id",
        "last_error",
        "reason",
        "address",
        "sent_to",
        "=provider_message_id",
        "channel",
        "recipient__username",
        "trigger__name",
    ]
    date_hierarchy = "created_at"
    actions = ["retry", "resend"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        outcome = ["status", "attempts", "sent_at" if obj is not None and obj.sent_at else "updated_at"]
        if obj is not None and obj.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
            outcome.append("next_attempt_at")
        if obj is not None and obj.last_error:
            outcome.append("last_error")
        if obj is not None and obj.reason:
            outcome.append("reason")
        if obj is not None and obj.digest_key:
            outcome.append("digest_key")
        if obj is not None and (obj.provider_status or obj.provider_message_id):
            outcome += ["provider_status", "provider_status_at", "provider_message_id"]
        return [
            (None, {"fields": ["recipient", "destination", "channel", "backend", "trigger", "subscription", "event"]}),
            (_("Outcome"), {"fields": outcome}),
            (_("Message"), {"fields": ["message_content", "language", "created_at"]}),
        ]

    @admin.display(description=_("Last error"))
    def short_error(self, obj: Delivery) -> str:
        return Truncator(obj.last_error or obj.reason).chars(80)

    @admin.display(description=_("Due"), ordering="next_attempt_at")
    def due(self, obj: Delivery) -> Any:
        """When a message that has not gone out yet is due (scheduled, held, retried); "-" otherwise."""
        if obj.status == DeliveryStatus.WAITING:
            return gettext("after the step before")
        if obj.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED) and not obj.digest_key:
            return obj.next_attempt_at
        return "-"

    @admin.display(description=_("Address"), ordering="sent_to")
    def destination(self, obj: Delivery) -> str:
        """Where the message went (or was last tried); "-" before the first attempt or when it is a secret."""
        return obj.sent_to or obj.address or "-"

    @admin.display(description=_("Content"))
    def message_content(self, obj: Delivery) -> SafeString | str:
        """The rendered parts as they read: subject, text, link, the HTML source folded, other data as JSON."""
        if not obj.content:
            return gettext("(rendered when it is sent)")
        content = dict(obj.content)
        parts = {name: content.pop(name, "") for name in ("subject", "text", "url", "html")}
        html = render_to_string(
            "django_signal_notifier/admin/delivery_content.html",
            {**parts, "data": pretty_json(content) if content else ""},
        )
        return mark_safe(html)  # the template engine escaped it

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
class EventAdmin(ReadOnlyLogAdmin):
    """What happened: one row per signal send that matched a trigger, and how far its fan-out got."""

    list_display = ["id", "verb", "__str__", "fanout_done", "created_at"]
    list_filter = ["verb", "fanout_done"]
    list_select_related = ["action_object_content_type"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fanout = ["fanout_done", "matched_triggers"]
        if obj is not None and not obj.fanout_done:
            fanout += ["fanout_step", "fanout_position", "fanout_updated_at"]
        return [
            (None, {"fields": ["verb", "action_object", "actor", "target", "created_at"]}),
            (_("Fan-out"), {"fields": fanout}),
            (_("Snapshot"), {"fields": ["snapshot_json"]}),
        ]

    @admin.display(description=_("Object"))
    def action_object(self, obj: Event) -> SafeString | str:
        return _described(obj, "action_object", obj.action_object_content_type, obj.action_object_id)

    @admin.display(description=_("Actor"))
    def actor(self, obj: Event) -> SafeString | str:
        return _described(obj, "actor", obj.actor_content_type, obj.actor_object_id)

    @admin.display(description=_("Target"))
    def target(self, obj: Event) -> SafeString | str:
        return _described(obj, "target", obj.target_content_type, obj.target_object_id)

    @admin.display(description=_("Matched triggers"))
    def matched_triggers(self, obj: Event) -> SafeString | str:
        ids = [pk for pk in obj.trigger_ids or [] if isinstance(pk, int)]
        if not ids:
            return gettext("none (sent from code, a test send or a digest)")
        triggers = {trigger.pk: trigger for trigger in Trigger.objects.filter(pk__in=ids)}
        return format_html_join(
            ", ", "{}", ((_admin_link(triggers[pk]) if pk in triggers else f"#{pk}",) for pk in ids)
        )

    @admin.display(description=_("Snapshot"))
    def snapshot_json(self, obj: Event) -> SafeString:
        return pretty_json(obj.snapshot or {})


def _described(event: Event, part: str, content_type: Any, object_id: str) -> SafeString | str:
    """An event's object, actor or target: a link to it when it still exists, else how the snapshot names it."""
    if content_type is not None and object_id:
        model = content_type.model_class()
        found = model._default_manager.filter(pk=object_id).first() if model is not None else None
        if found is not None:
            return _admin_link(found)
    described = (event.snapshot or {}).get(part) or {}
    text = described.get("repr") if isinstance(described, dict) else None
    return str(text) if text else "-"


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
