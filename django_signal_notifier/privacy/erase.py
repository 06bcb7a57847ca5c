"""Erasing a user: their rows deleted, what other rows say about them scrubbed."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from django_signal_notifier.conf import app_settings
from django_signal_notifier.models import (
    Delivery,
    Event,
    Mute,
    Notification,
    Preference,
    PreferenceChange,
    WebPushDevice,
)

logger = logging.getLogger("django_signal_notifier.privacy")
ERASED = "[erased]"
_ROLES = ("actor", "action_object", "target")


def erase_user_data(user: Any) -> dict[str, int]:
    """Delete the user's notifications, deliveries, preferences, mutes and Web Push browsers; scrub the events that name them.

    Returns how many rows of each kind were deleted or scrubbed. One transaction.
    """
    names = _names_of(user)
    content_type = ContentType.objects.get_for_model(user)
    key = str(user.pk)
    with transaction.atomic():
        counts = {
            "notifications": Notification.objects.filter(recipient=user).delete()[0],
            "deliveries": Delivery.objects.filter(recipient=user).delete()[0],
            "preferences": Preference.objects.filter(user=user).delete()[0],
            "webpush_devices": WebPushDevice.objects.for_user(user).delete()[0],
            "mutes": Mute.objects.filter(user=user).delete()[0],
        }
        PreferenceChange.objects.filter(user=user).delete()  # only the dates of those preferences
        naming = Q()
        for role in _ROLES:
            naming |= Q(**{f"snapshot__{role}__content_type_id": content_type.pk, f"snapshot__{role}__pk": key})
        events = list(Event.objects.filter(naming))
        for event in events:
            event.snapshot = _scrubbed_snapshot(event.snapshot or {}, content_type.pk, key)
        Event.objects.bulk_update(events, ["snapshot"], batch_size=500)
        event_ids = [event.pk for event in events]
        counts["events_scrubbed"] = len(events)
        counts["deliveries_scrubbed"] = _scrub_deliveries(event_ids, names)
        counts["notifications_scrubbed"] = _scrub_notifications(event_ids, content_type.pk, key, names)
    logger.info("erased the data of user %s: %s", user.pk, counts)
    return counts


def _names_of(user: Any) -> list[str]:
    """The texts that identify the user in rendered messages, longest first (so "Ann Lee" goes before "Ann")."""
    candidates = {str(user), user.get_username(), getattr(user, "email", "") or ""}
    full_name = getattr(user, "get_full_name", None)
    if callable(full_name):
        candidates.add(full_name() or "")
    return sorted((name for name in candidates if len(name) >= 2), key=len, reverse=True)


def _scrub_text(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, ERASED)
    return text


def _scrubbed_snapshot(snapshot: dict[str, Any], content_type_id: int, key: str) -> dict[str, Any]:
    scrubbed = dict(snapshot)
    for role in _ROLES:
        described = scrubbed.get(role)
        if not isinstance(described, dict):
            continue
        if described.get("content_type_id") == content_type_id and str(described.get("pk")) == key:
            scrubbed[role] = {**described, "repr": ERASED, "fields": {}}
    return scrubbed


def _scrub_deliveries(event_ids: list[int], names: list[str]) -> int:
    """The stored messages of events that named the user, to other recipients, lose the user's names."""
    changed = []
    for delivery in Delivery.objects.filter(event_id__in=event_ids).only("pk", "content"):
        content = dict(delivery.content or {})
        cleaned = {k: _scrub_text(v, names) if isinstance(v, str) else v for k, v in content.items()}
        if cleaned != content:
            delivery.content = cleaned
            changed.append(delivery)
    Delivery.objects.bulk_update(changed, ["content"], batch_size=500)
    return len(changed)


def _scrub_notifications(event_ids: list[int], content_type_id: int, key: str, names: list[str]) -> int:
    """Other users' inbox rows about the user: the user's names replaced in every text."""
    about_user = Q(event_id__in=event_ids) | Q(actor_content_type_id=content_type_id, actor_object_id=key)
    about_user |= Q(target_content_type_id=content_type_id, target_object_id=key)
    about_user |= Q(action_object_content_type_id=content_type_id, action_object_id=key)
    fields = ("title", "body", "actor_text", "action_object_text", "target_text")
    changed = []
    for row in Notification.objects.filter(about_user).only("pk", *fields):
        before = [getattr(row, name) for name in fields]
        for name in fields:
            setattr(row, name, _scrub_text(getattr(row, name), names))
        if [getattr(row, name) for name in fields] != before:
            changed.append(row)
    Notification.objects.bulk_update(changed, list(fields), batch_size=500)
    return len(changed)


def erase_on_user_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_delete receiver of the user model: erase before the rows that point to the user go."""
    if not app_settings.ERASE_ON_USER_DELETE:
        return
    try:
        erase_user_data(instance)
    except Exception:  # a failure here must not stop the user's deletion; the log says what was left
        logger.exception("django-signal-notifier could not erase the data of user %s", instance.pk)
