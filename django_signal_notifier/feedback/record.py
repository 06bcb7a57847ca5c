"""One provider event applied to its Delivery: the provider's status recorded, the address suppressed if dead."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from django_signal_notifier.models import Delivery, Suppression

logger = logging.getLogger("django_signal_notifier.feedback")

# How far along its life a provider status says a message is. Providers' events arrive out of
# order (webhooks are retried, batched): a status never replaces one further along, so a late
# "delivered" does not hide an "opened", nor an "opened" a "complained".
STATUS_RANK = {
    "queued": 0,
    "accepted": 0,
    "scheduled": 0,
    "sending": 0,
    "sent": 1,
    "deferred": 1,
    "delivered": 2,
    "autoresponded": 2,
    "opened": 3,
    "read": 3,
    "clicked": 4,
    "unsubscribed": 4,
    "rejected": 5,
    "failed": 5,
    "undelivered": 5,
    "bounced": 5,
    "complained": 6,
}
# Statuses that say the message did not arrive: their description goes to the delivery's last error.
FAILURES = frozenset({"rejected", "failed", "undelivered", "bounced"})


@dataclass
class ProviderEvent:
    """What a provider reported about one message, in the package's words."""

    provider: str  # "SendGrid", "Twilio"…
    status: str  # a key of STATUS_RANK
    message_id: str = ""  # the provider's id of the message
    delivery_id: int | None = None  # the package's id, echoed back in the message's metadata
    recipient: str = ""
    description: str = ""
    suppress: bool = False  # the address must not be sent to again (hard bounce, complaint, STOP)
    timestamp: datetime | None = None


def find_delivery(event: ProviderEvent) -> Delivery | None:
    """The delivery ``event`` is about: by the provider's message id, else by the id the message carried."""
    if event.message_id:
        found: Delivery | None = Delivery.objects.filter(provider_message_id=event.message_id).order_by("-pk").first()
        if found is not None:
            return found
    if event.delivery_id is not None:
        by_id: Delivery | None = Delivery.objects.filter(pk=event.delivery_id).first()
        return by_id
    return None


def record_provider_event(event: ProviderEvent, channel: str) -> Delivery | None:
    """Record ``event`` on its delivery and suppress the address when it says so; None if no delivery of ours."""
    if event.status not in STATUS_RANK:
        return None
    found = find_delivery(event)
    if found is None:
        # The project's own emails go through the same provider: their events are not ours.
        logger.debug("%s event %s for message %r matches no delivery", event.provider, event.status, event.message_id)
        return None
    with transaction.atomic():
        delivery: Delivery = Delivery.objects.select_for_update().get(pk=found.pk)
        changes: dict[str, Any] = {}
        if STATUS_RANK[event.status] >= STATUS_RANK.get(delivery.provider_status, -1):
            changes.update(provider_status=event.status, provider_status_at=event.timestamp or timezone.now())
            if event.message_id and not delivery.provider_message_id:
                changes["provider_message_id"] = event.message_id[:255]
            if event.status in FAILURES:
                changes["last_error"] = f"{event.provider} reported {event.status}: {event.description}".strip(" :")
        if changes:
            Delivery.objects.filter(pk=delivery.pk).update(updated_at=timezone.now(), **changes)
            for name, value in changes.items():
                setattr(delivery, name, value)
        address = event.recipient or delivery.sent_to or delivery.address
        if event.suppress and address:
            detail = f": {event.description}" if event.description else ""
            Suppression.objects.suppress(
                channel,
                address,
                reason=f"{event.provider} reported {event.status}{detail}",
                provider=event.provider[:64],
                delivery=delivery,
            )
            logger.info("%s address of delivery %s suppressed after %s", channel, delivery.pk, event.status)
    return delivery
