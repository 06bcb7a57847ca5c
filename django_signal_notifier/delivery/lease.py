"""A worker's lease on the deliveries it claimed, renewed while a long batch is being sent.

A claim is held for ``CLAIM_TIMEOUT`` seconds; after that another worker may take it, which is
how a crashed worker's deliveries get sent. A live worker whose batch is slow (a provider timing
out on every message) must not lose its claim half-way and then send what the other worker
sends too: it renews the lease of the deliveries it still holds every third of the timeout,
and stops the batch if some were taken meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from time import monotonic

from django.db.models import F
from django.utils import timezone

from django_signal_notifier.conf import app_settings
from django_signal_notifier.models import Delivery, DeliveryStatus


class Lease:
    """The hold of one claim token on its deliveries."""

    def __init__(self, token: str, db: str | None) -> None:
        self.token = token
        self.db = db
        self.renewed_at = monotonic()

    def renewal_due(self) -> bool:
        """Whether a third of the lease has passed since it was taken or last renewed."""
        return monotonic() - self.renewed_at >= float(app_settings.CLAIM_TIMEOUT) / 3

    def keep(self, ids: Iterable[int]) -> set[int]:
        """Those of ``ids`` this worker still holds; renews their lease when a third of it has passed."""
        wanted = set(ids)
        timeout = float(app_settings.CLAIM_TIMEOUT)
        if not wanted or monotonic() - self.renewed_at < timeout / 3:
            return wanted
        self.renewed_at = monotonic()
        # Every claim of the token, the later groups of the batch included.
        claimed = Delivery.objects.using(self.db).filter(claim_token=self.token, status=DeliveryStatus.SENDING)
        claimed.update(claimed_until=timezone.now() + timedelta(seconds=timeout))
        return set(claimed.filter(pk__in=wanted).values_list("pk", flat=True))

    def release(self, ids: Iterable[int]) -> int:
        """Give back unsent deliveries, due at once and without counting an attempt."""
        return (
            Delivery.objects.using(self.db)
            .filter(pk__in=list(ids), claim_token=self.token, status=DeliveryStatus.SENDING)
            .update(
                status=DeliveryStatus.PENDING,
                claim_token="",
                claimed_until=None,
                next_attempt_at=timezone.now(),
                attempts=F("attempts") - 1,
            )
        )
