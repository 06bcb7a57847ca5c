"""Load: concurrent writer processes create events while worker processes deliver them.

Every expected delivery must exist exactly once: each send is recorded durably by
``LoadRecordingMessenger`` (a unique key per delivery id, duplicates kept in their own table).
The CI version is bounded (a few writers, seconds); ``DSN_FULL_LOAD=1`` runs the full one
(20 writers for 2 minutes) whose figures go in the README.
"""

from __future__ import annotations

import os

import pytest

from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from tests.integration.reliability.figures import record
from tests.support import recording
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

FULL = os.environ.get("DSN_FULL_LOAD") == "1"
WRITERS = int(os.environ.get("DSN_LOAD_WRITERS", "20" if FULL else "4"))
WORKERS = int(os.environ.get("DSN_LOAD_WORKERS", "4" if FULL else "2"))
SECONDS = float(os.environ.get("DSN_LOAD_SECONDS", "120" if FULL else "15"))
RECIPIENTS = 3

pytestmark = [pytest.mark.slow, pytest.mark.timeout(SECONDS + 300)]


def test_concurrent_writers_and_workers_lose_and_duplicate_nothing(processes):
    readers = [user(f"reader{i}") for i in range(RECIPIENTS)]
    subscribe("post_save", Article, users=readers, messenger=recording.LoadRecordingMessenger.channel_name())

    workers = [processes.worker() for _ in range(WORKERS)]
    writers = [processes.writer(SECONDS) for _ in range(WRITERS)]
    written = [processes.result(w, SECONDS + 120) for w in writers]
    processes.stop_file.touch()
    worked = [processes.result(w, 240) for w in workers]

    events = sum(w["events"] for w in written)
    expected = events * RECIPIENTS
    assert Article.objects.count() == events
    assert Event.objects.count() == events
    deliveries = set(Delivery.objects.values_list("pk", flat=True))
    sent = recording.sent_ids()
    lost = len(deliveries - sent) + max(0, expected - len(deliveries))
    duplicated = recording.duplicate_count()
    record(
        "load",
        writers=WRITERS,
        workers=WORKERS,
        seconds=SECONDS,
        events=events,
        deliveries=len(deliveries),
        sent=len(sent),
        lost=lost,
        duplicated=duplicated,
        full=FULL,
    )
    assert events > 0
    assert len(deliveries) == expected
    assert (lost, duplicated) == (0, 0)
    assert sent == deliveries
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # each worker took part: claims are shared, not serialised through one process
    assert sum(w["counts"].get("sent", 0) for w in worked) == expected
    assert all(w["database_errors"] == 0 for w in worked)
