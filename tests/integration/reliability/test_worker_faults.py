"""Worker faults on PostgreSQL with real processes: SIGKILL mid-batch, the database connection dropped.

After recovery every delivery is sent exactly once and none is lost (counted in the durable send log).
"""

from __future__ import annotations

import pytest
from django.db import connection

from django_signal_notifier.models import Delivery, DeliveryStatus
from tests.integration.reliability.conftest import wait_until
from tests.integration.reliability.figures import record
from tests.support import recording
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

EVENTS = 5
RECIPIENTS = 4


def configure() -> int:
    readers = [user(f"reader{i}") for i in range(RECIPIENTS)]
    subscribe("post_save", Article, users=readers, messenger=recording.LoadRecordingMessenger.channel_name())
    return EVENTS * RECIPIENTS


def write_events(processes) -> None:
    processes.result(processes.writer(120, EVENTS), 180)


def assert_exactly_once(expected: int, name: str, faults: int) -> None:
    deliveries = set(Delivery.objects.values_list("pk", flat=True))
    sent = recording.sent_ids()
    lost = len(deliveries - sent) + max(0, expected - len(deliveries))
    duplicated = recording.duplicate_count()
    record(name, events=EVENTS, deliveries=len(deliveries), faults=faults, lost=lost, duplicated=duplicated)
    assert len(deliveries) == expected
    assert (lost, duplicated) == (0, 0)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def worker_backend_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'dsn_reliability_proc' AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cursor.fetchall()]


def test_a_worker_killed_with_sigkill_mid_batch_loses_and_duplicates_nothing(processes):
    expected = configure()
    write_events(processes)
    processes.hook("hang").touch()
    doomed = processes.worker(DSN_REL_HANG_AFTER="3", DSN_REL_CLAIM_TIMEOUT="3")
    hanging = processes.hook("hanging")
    wait_until(hanging.exists, 60, "the worker to send 3 messages and stop in the middle of its batch")
    assert len(recording.sent_ids()) == 3
    in_flight = Delivery.objects.filter(status=DeliveryStatus.SENDING).count()
    assert in_flight == expected - 3  # the rest of the batch is claimed by the doomed worker
    processes.kill(doomed)
    processes.hook("hang").unlink()
    processes.stop_file.touch()
    survivor = processes.worker(DSN_REL_CLAIM_TIMEOUT="3")
    processes.result(survivor, 120)  # takes the dead worker's claims when their lease expires
    assert_exactly_once(expected, "sigkill", faults=1)
    # the killed worker's claimed deliveries were attempted a second time, by the survivor
    assert Delivery.objects.filter(attempts=2).count() == in_flight


def test_the_database_connection_dropped_during_a_batch(processes):
    expected = configure()
    write_events(processes)
    processes.hook("hang").touch()
    worker = processes.worker(DSN_REL_HANG_AFTER="2", DSN_REL_CLAIM_TIMEOUT="3")
    wait_until(processes.hook("hanging").exists, 60, "the worker to stop in the middle of its batch")
    pids = worker_backend_pids()
    assert len(pids) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pids[0]])
    wait_until(lambda: not worker_backend_pids(), 10, "the worker's connection to be gone")
    processes.hook("hang").unlink()
    processes.stop_file.touch()
    processes.result(worker, 120)
    assert_exactly_once(expected, "db-drop-mid-batch", faults=1)
    # the send that met the dead connection failed transiently and was retried on a new one
    assert Delivery.objects.filter(attempts__gte=2).exists()


def test_the_database_connection_dropped_right_after_a_send(processes):
    """The provider accepted the message, then the connection died before the outcome was written."""
    expected = configure()
    write_events(processes)
    processes.hook("drop").touch()
    processes.stop_file.touch()
    worker = processes.worker()
    processes.result(worker, 120)
    assert not processes.hook("drop").exists()  # the fault was injected
    assert_exactly_once(expected, "db-drop-after-send", faults=1)
