"""The in-site inbox channel: a Notification row per recipient, written in the fan-out's bulk insert.

The row is the delivery record, so this channel writes no Delivery rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.checks import CheckMessage

from django_signal_notifier.conf import app_settings
from django_signal_notifier.events.text import storable, stored_text
from django_signal_notifier.inbox.checks import check_inbox_settings
from django_signal_notifier.inbox.queries import safe_link
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.rendering.base import MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.links import site_path
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.signals import inbox_changed


@template_registry.register
class InSiteMessageTemplate(MessageTemplate):
    """Title '<actor> <action> <object>', no body, a link to the object when it has a URL."""

    label = "In-site notification"
    subject = "{% if actor %}{{ actor }} {% endif %}{{ action }} {{ instance_type }} “{{ instance }}”"
    url = "{{ instance_url }}"


_SHARED_RENDERINGS = 8  # more distinct renderings than this: content columns travel per row


def _ref(described: dict[str, Any] | None) -> tuple[int | None, str, str]:
    if not described:
        return None, "", ""
    return described.get("content_type_id"), described.get("pk") or "", (described.get("repr") or "")[:255]


@messenger_registry.register
class InSiteMessenger(Messenger):
    """Notifications in the site's own inbox (``Notification`` rows)."""

    label = "In-site inbox"
    default_template = "InSiteMessageTemplate"
    inline = True

    @classmethod
    def written_inline(cls, event_row: Any, recipient_ids: list[Any]) -> set[Any]:
        from django_signal_notifier.models import Notification  # see write_inline

        written = Notification.objects.using(event_row._state.db).filter(
            event=event_row, recipient_id__in=recipient_ids
        )
        return set(written.values_list("recipient_id", flat=True))

    def write_inline(
        self,
        event_row: Any,
        items: Iterable[tuple[int, RenderedMessage]],
        snapshot: dict[str, Any],
        group_key: str = "",
        expires_at: datetime | None = None,
    ) -> int:
        # Here, not at the top: channels are imported before Django loads the models (pytest plugin, settings).
        from django_signal_notifier.models import Notification
        from django_signal_notifier.models.bulk import BulkInsert

        actor_ct, actor_id, actor_text = _ref(snapshot.get("actor"))
        object_ct, object_id, object_text = _ref(snapshot.get("action_object"))
        target_ct, target_id, target_text = _ref(snapshot.get("target"))
        shared = {
            "verb": event_row.verb,
            "actor_content_type_id": actor_ct,
            "actor_object_id": actor_id,
            "actor_text": actor_text,
            "action_object_content_type_id": object_ct,
            "action_object_id": object_id,
            "action_object_text": object_text,
            "target_content_type_id": target_ct,
            "target_object_id": target_id,
            "target_text": target_text,
            "event_id": event_row.pk,
            "created_at": event_row.created_at,
            "expires_at": expires_at,
            "group_key": group_key,
        }
        db = event_row._state.db
        batch_size = int(app_settings.BATCH_SIZE)
        # Usually one rendering is shared by everyone (or one per language): its columns are then
        # sent once per statement and a row is just its recipient.
        by_rendering: dict[int, tuple[RenderedMessage, list[int]]] = {}
        recipient_ids: list[int] = []
        for recipient_id, rendered in items:
            by_rendering.setdefault(id(rendered), (rendered, []))[1].append(recipient_id)
            recipient_ids.append(recipient_id)
        if len(by_rendering) <= _SHARED_RENDERINGS:
            for rendered, ids in by_rendering.values():
                content = {
                    "title": storable(rendered.subject)[:255],
                    "body": stored_text(rendered.text),
                    "url": _inbox_link(storable(rendered.url)),
                }
                row = {**shared, **content, "data": rendered.data}
                BulkInsert(Notification, db, row, ("recipient_id",), batch_size).insert((rid,) for rid in ids)
        else:
            varying = ("recipient_id", "title", "body", "url", "data")
            BulkInsert(Notification, db, shared, varying, batch_size).insert(
                (rid, storable(r.subject)[:255], stored_text(r.text), _inbox_link(storable(r.url)), r.data)
                for r, ids in by_rendering.values()
                for rid in ids
            )
        # The unread caches are bumped, and the realtime streams told (after commit), by its receivers.
        inbox_changed.send(sender=Notification, user_ids=recipient_ids, using=db, event_id=event_row.pk)
        return len(recipient_ids)

    @classmethod
    def check(cls) -> list[CheckMessage]:
        """The inbox settings (page sizes, poll interval, cache alias)."""

        return check_inbox_settings()


def _inbox_link(url: str) -> str:
    """The link an inbox row keeps: a path of the site or an http(s) link, never one that only looks like a path."""
    return safe_link(site_path(url))[:500]
