"""Fallback steps: a recipient's next channel when the step before ended dead or undeliverable.

The fan-out writes a fallback step's deliveries ``waiting``; the delivery of the step before
carries ``has_fallback``. When that one ends, its recipient's next waiting step (same event,
subscription and recipient, the following backend) is made due at once if it ended dead or was
skipped as undeliverable (no address: ``delivery.undeliverable``), and every waiting step after
it is skipped otherwise (it was sent, read in the inbox, cancelled…). One read and a few
UPDATEs per batch, only for batches holding steps that have a fallback.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus

FINAL = (DeliveryStatus.SENT, DeliveryStatus.DEAD, DeliveryStatus.SKIPPED)


def falls_through(delivery: Delivery) -> bool:
    """Did this step fail its recipient for good (dead, or no way to reach them on its channel)?"""
    return delivery.status == DeliveryStatus.DEAD or (
        delivery.status == DeliveryStatus.SKIPPED and delivery.undeliverable
    )


def advance_fallbacks(deliveries: list[Delivery]) -> list[int]:
    """Settle the waiting steps after ``deliveries`` (those with a fallback); the ids made due."""
    finished = [d for d in deliveries if d.status in FINAL and d.recipient_id is not None]
    if not finished:
        return []
    db = finished[0]._state.db
    waiting = Delivery.objects.using(db).filter(
        status=DeliveryStatus.WAITING,
        event_id__in={d.event_id for d in finished},
        subscription_id__in={d.subscription_id for d in finished},
        recipient_id__in={d.recipient_id for d in finished},
    )
    later: dict[tuple[Any, Any, Any], list[tuple[int, int]]] = defaultdict(list)
    for pk, event_id, subscription_id, recipient_id, backend_id in waiting.values_list(
        "pk", "event_id", "subscription_id", "recipient_id", "backend_id"
    ):
        later[(event_id, subscription_id, recipient_id)].append((backend_id or 0, pk))
    due: list[int] = []
    not_needed: dict[str, list[int]] = defaultdict(list)
    for delivery in finished:
        steps = sorted(s for s in later.get((delivery.event_id, delivery.subscription_id, delivery.recipient_id), ()))
        steps = [step for step in steps if step[0] > (delivery.backend_id or 0)]
        if not steps:
            continue
        if falls_through(delivery):
            due.append(steps[0][1])
        else:
            reason = f"not needed: the step before ended {delivery.status}"
            not_needed[reason].extend(pk for _, pk in steps)
    now = timezone.now()
    rows = Delivery.objects.using(db).filter(status=DeliveryStatus.WAITING)
    if due:
        rows.filter(pk__in=due).update(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now)
    for reason, pks in not_needed.items():
        rows.filter(pk__in=pks).update(status=DeliveryStatus.SKIPPED, reason=reason, updated_at=now)
    return due
