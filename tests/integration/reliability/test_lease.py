"""A slow batch outlives its claim: the worker renews its lease, and stops where another worker took over.

Found by the full load run (20 writers): a worker whose batch took longer than ``CLAIM_TIMEOUT``
kept sending deliveries another worker had reclaimed, and both sent them.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.test import override_settings
from django.utils import timezone

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.exceptions import TransientDeliveryError
from django_signal_notifier.messengers import Message, Messenger, register_messenger
from django_signal_notifier.models import Delivery, DeliveryStatus
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
LEASE = 0.3


@register_messenger
class SlowProviderMessenger(Messenger):
    """Down at first; then its first message takes longer than the lease, and meanwhile another
    worker is handed the batch's other deliveries (a nested ``deliver_due(ids=…)``, as a second
    process running a ``deliver`` task would). The message in flight itself cannot be protected:
    one message must take less than the lease (300 s by default)."""

    default_template = "DefaultMessageTemplate"
    up: ClassVar[bool] = False
    slow_first: ClassVar[bool] = False
    slow_each: ClassVar[float] = 0.0
    sent: ClassVar[list[int | None]] = []

    def get_address(self, user: Any) -> str:
        return str(user.username)

    def send_message(self, message: Message) -> None:
        if not SlowProviderMessenger.up:
            raise TransientDeliveryError("provider down")
        if SlowProviderMessenger.slow_first:
            SlowProviderMessenger.slow_first = False
            time.sleep(LEASE * 1.5)  # the provider is slow: the claim on the rest of the batch expires
            others = [pk for pk in Delivery.objects.values_list("pk", flat=True) if pk != message.delivery_id]
            deliver_due(ids=others)  # another worker, handed the other ids, takes their expired claims
        time.sleep(SlowProviderMessenger.slow_each)
        SlowProviderMessenger.sent.append(message.delivery_id)


@pytest.fixture
def waiting(django_capture_on_commit_callbacks: Any) -> list[int]:
    SlowProviderMessenger.up, SlowProviderMessenger.slow_first, SlowProviderMessenger.slow_each = False, False, 0.0
    SlowProviderMessenger.sent = []
    subscribe("post_save", Article, users=[user(f"u{i}") for i in range(4)], messenger="SlowProviderMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="slow")
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    SlowProviderMessenger.up = True
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


@override_settings(SIGNAL_NOTIFIER={"CLAIM_TIMEOUT": LEASE})
def test_a_worker_stops_sending_what_another_worker_reclaimed(waiting):
    SlowProviderMessenger.slow_first = True
    counts = deliver_due()
    assert sorted(SlowProviderMessenger.sent) == waiting  # each delivery sent once, by one worker or the other
    assert counts == {"sent": 1, "lost_claim": 3}  # this worker sent 1; the other took 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@override_settings(SIGNAL_NOTIFIER={"CLAIM_TIMEOUT": LEASE})
def test_a_slow_batch_renews_its_lease_and_keeps_its_claims(waiting):
    SlowProviderMessenger.slow_each = LEASE / 2  # the batch lasts 2 leases; each message fits in a third of one
    assert deliver_due() == {"sent": 4}
    assert sorted(SlowProviderMessenger.sent) == waiting
    assert Delivery.objects.filter(claimed_until__isnull=False).count() == 0
