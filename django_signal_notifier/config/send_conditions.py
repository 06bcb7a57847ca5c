"""A step's ``only_if`` conditions, checked when its messages are about to be sent.

The conditions are those of triggers (config/conditions.py), state operators only. They read the
event's object as the snapshot recorded it, or, for a step with ``fresh``, as the database holds
it now: one query per model and batch. A message whose conditions do not hold ends ``skipped``
with the condition that failed; a fresh step whose object was deleted meanwhile too. Registered
with the outbox at start-up (:func:`vetoes`), which calls it once per batch.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import router

from django_signal_notifier.config.conditions import compile_condition, condition_holds
from django_signal_notifier.config.steps import step_for
from django_signal_notifier.delivery.outbox import READ_IN_INBOX, read_in_inbox
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.models import Backend, Delivery, SendCondition

logger = logging.getLogger("django_signal_notifier.outbox")
OBJECT_GONE = "condition not checked: the object was deleted"


def snapshot_instance(model: Any, fields: dict[str, Any]) -> Any:
    """The event's object as its snapshot recorded it: an unsaved instance holding the recorded values."""
    instance = model()
    instance.__dict__.update(fields)  # by attribute name, past the descriptors (no query for a foreign key)
    return instance


def vetoes(deliveries: list[Delivery]) -> dict[int, str]:
    """Of ``deliveries``, those a step's conditions stop: ``{id: reason}``."""
    checked = [d for d in deliveries if d.send_if == SendCondition.CONDITIONS]
    if not checked:
        return {}
    db = checked[0]._state.db or router.db_for_read(Delivery)
    backends = Backend.objects.using(db).in_bulk({d.backend_id for d in checked if d.backend_id is not None})
    current = _fresh_objects(db, checked, backends)
    reasons: dict[int, str] = {}
    unread_checked = []
    for delivery in checked:
        backend = backends.get(delivery.backend_id)
        if backend is None or delivery.subscription is None:
            continue  # withdrawn: the outbox says so
        step = step_for(delivery.subscription.steps, backend)
        if step.only_if_unread:
            unread_checked.append(delivery)
        reason = _failed_condition(delivery, step, current)
        if reason:
            reasons[delivery.pk] = reason
    for pk in read_in_inbox([d for d in unread_checked if d.pk not in reasons]):
        reasons[pk] = READ_IN_INBOX
    return reasons


def _object_key(delivery: Delivery) -> tuple[Any, str]:
    event = delivery.event
    return event.action_object_content_type_id, event.action_object_id


def _fresh_objects(db: str, deliveries: list[Delivery], backends: dict[Any, Backend]) -> dict[tuple[Any, str], Any]:
    """The objects of the fresh steps' events as the database holds them now: one query per model."""
    wanted: dict[Any, set[str]] = defaultdict(set)
    for delivery in deliveries:
        backend = backends.get(delivery.backend_id)
        if (
            backend is not None
            and delivery.subscription is not None
            and step_for(delivery.subscription.steps, backend).fresh
        ):
            content_type_id, pk = _object_key(delivery)
            if content_type_id is not None and pk:
                wanted[content_type_id].add(pk)
    found: dict[tuple[Any, str], Any] = {}
    for content_type_id, pks in wanted.items():
        model = ContentType.objects.db_manager(db).get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for pk, instance in model._default_manager.using(db).in_bulk(list(pks)).items():
            found[(content_type_id, str(pk))] = instance
    return found


def _failed_condition(delivery: Delivery, step: Any, current: dict[tuple[Any, str], Any]) -> str:
    """The reason the step's conditions stop ``delivery`` ("" when they hold)."""
    content_type_id, pk = _object_key(delivery)
    model = ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
    if step.fresh:
        instance = current.get((content_type_id, pk))
        if instance is None:
            return OBJECT_GONE
    else:
        described = (delivery.event.snapshot or {}).get("action_object") or {}
        instance = snapshot_instance(model, described.get("fields") or {}) if model is not None else None
    event = SignalEvent(verb=delivery.event.verb, sender=model, kwargs={}, instance=instance)
    for raw in step.only_if:
        label = f"{raw.get('field', '')} {raw.get('op', '')} {raw.get('value', '')!r}".strip()
        try:
            holds = condition_holds(compile_condition(raw, model, "post_save"), event)
        except Exception as error:
            logger.warning("delivery %s: condition %s could not be checked: %s", delivery.pk, label, error)
            return f"condition error: {label}: {error}"[:255]
        if not holds:
            return f"condition not met: {label}"[:255]
    return ""
