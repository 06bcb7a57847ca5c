"""Cancelling pending messages by their cancel key: a comment deleted cancels its delayed emails.

Every delivery of a trigger's event carries the key of the event's object
(``"blog.comment:12"``); an explicit send carries the ``cancel_key`` it was given. Cancelling a
key turns its deliveries that have not gone out yet (pending, or failed and waiting for a retry)
into ``skipped`` rows with the reason ``cancelled``: one UPDATE, on an index of the key.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus

CANCELLED = "cancelled"
KEY_LENGTH = 255


def object_key(content_type_id: Any, pk: Any, using: str | None = None) -> str:
    """The cancel key of an object: ``"<app_label>.<model>:<pk>"`` ("" without an object)."""
    if content_type_id is None or pk in (None, ""):
        return ""
    content_type = ContentType.objects.db_manager(using).get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}:{pk}"[:KEY_LENGTH]


def key_of(key_or_object: str | models.Model) -> str:
    """A key as given, or the key of a model instance."""
    if isinstance(key_or_object, models.Model):
        content_type = ContentType.objects.get_for_model(key_or_object)
        return object_key(content_type.pk, key_or_object.pk)
    if not isinstance(key_or_object, str) or not key_or_object:
        raise ValueError(f"a cancel key is a non-empty string or a model instance, not {key_or_object!r}")
    if len(key_or_object) > KEY_LENGTH:
        raise ValueError(f"a cancel key is at most {KEY_LENGTH} characters long")
    return key_or_object


def cancel(key_or_object: str | models.Model, *, using: str | None = None, except_event: Any = None) -> int:
    """Cancel the messages with this key (or about this object) that have not been sent yet.

    Returns how many were cancelled; they stay in the delivery log as ``skipped``, reason
    ``cancelled``. ``except_event`` spares the deliveries of one event (the cancelling event's own).
    """
    key = key_of(key_or_object)
    db = using or router.db_for_write(Delivery)
    pending = Delivery.objects.using(db).filter(
        cancel_key=key, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.WAITING]
    )
    if except_event is not None:
        pending = pending.exclude(event_id=except_event)
    return int(pending.update(status=DeliveryStatus.SKIPPED, reason=CANCELLED, updated_at=timezone.now()))
