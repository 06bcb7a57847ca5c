"""Successful sends of a batch are recorded together, only where this worker still holds the claim."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.delivery import outbox
from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from django_signal_notifier.signals import notification_sent
from tests.support.recording import RecordingMessenger

pytestmark = pytest.mark.django_db


def pending_deliveries(count: int) -> list[Delivery]:
    users = get_user_model().objects
    event = Event.objects.create(verb="post_save")
    rows = [
        Delivery(
            event=event,
            channel=RecordingMessenger.channel_name(),
            recipient=users.create(username=f"u{i}"),
            content={"subject": "Hi", "text": "Hello"},
        )
        for i in range(count)
    ]
    return Delivery.objects.bulk_create(rows)


def sent_updates(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE") and "'sent'" in q["sql"]]


def test_by_default_each_success_is_recorded_at_once() -> None:
    """SENT_FLUSH_SECONDS = 0: a worker killed after a send re-sends at most that one message."""
    pending_deliveries(5)
    with CaptureQueriesContext(connection) as captured:
        assert outbox.deliver_due() == {"sent": 5}
    assert len(sent_updates(captured)) == 5


def test_with_a_flush_window_a_batch_of_successes_is_one_update_and_each_is_announced(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "SENT_FLUSH_SECONDS": 60}
    pending_deliveries(5)
    announced: list[Any] = []

    def on_sent(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
        announced.append(delivery.pk)

    notification_sent.connect(on_sent)
    try:
        with CaptureQueriesContext(connection) as captured:
            counts = outbox.deliver_due()
    finally:
        notification_sent.disconnect(on_sent)
    assert counts == {"sent": 5}
    assert sorted(announced) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(sent_updates(captured)) == 1, sent_updates(captured)
    for delivery in Delivery.objects.all():
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.sent_at is not None
        assert delivery.claim_token == "" and delivery.claimed_until is None


@pytest.mark.parametrize("window", [0, 60])
def test_a_delivery_reclaimed_by_another_worker_is_not_overwritten(settings: Any, window: int) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "SENT_FLUSH_SECONDS": window}
    pending_deliveries(3)
    claimed, token = outbox.claim()
    assert len(claimed) == 3
    taken = claimed[1]
    Delivery.objects.filter(pk=taken.pk).update(claim_token="another-worker")  # its claim expired and was taken

    counts = outbox.send_claimed(claimed, token)

    assert counts == {"sent": 2, "lost_claim": 1}
    taken.refresh_from_db()
    assert taken.status == DeliveryStatus.SENDING and taken.claim_token == "another-worker"
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
