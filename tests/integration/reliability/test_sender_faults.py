"""Nothing lost after COMMIT (issue 15), with real processes on PostgreSQL.

A sending process saves an Article inside ``transaction.atomic()`` and meets a fault right after
its COMMIT: SIGKILL, its database connection dropped, an earlier application ``on_commit`` hook
that raises, or SIGKILL half-way through a fan-out of thousands. A fan-out worker is killed in the
middle of a chunk. In each case the sweeper (``signal_notifier redrive``) finishes the job and
every message exists and is sent exactly once.
"""

from __future__ import annotations

import signal
import subprocess
from typing import Any

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Notification, Subscription
from tests.integration.reliability.conftest import Processes, wait_until
from tests.integration.reliability.figures import record
from tests.support import recording
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

READERS = 3  # people with a real (recorded) channel: their sends are counted exactly
NOTIFICATION_TABLE = Notification._meta.db_table


def configure(audience: int) -> None:
    """Three readers on the recording channel, and a group of ``audience`` people on the inbox."""
    subscription = subscribe(
        "post_save",
        Article,
        users=[user(f"reader{i}") for i in range(READERS)],
        messenger=recording.LoadRecordingMessenger.channel_name(),
    )
    if audience:
        User = get_user_model()
        members = User.objects.bulk_create([User(username=f"member{i}", password="!") for i in range(audience)])
        group = Group.objects.create(name="members")
        group.user_set.add(*members)
        inbox = Subscription.objects.create(trigger=subscription.trigger)
        inbox.backends.add(Backend.objects.create(messenger="InSiteMessenger"))
        inbox.receiver_groups.add(group)


def sweep(settings: Any) -> None:
    """The sweeper, as an operator runs it (here in the test process, with the immediate backend)."""
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_RESUME_AFTER": 0}
    call_command("signal_notifier", "redrive", verbosity=0)


def assert_delivered_exactly_once(name: str, audience: int, fault: str) -> None:
    event = Event.objects.get()
    assert event.fanout_done
    deliveries = set(Delivery.objects.values_list("pk", flat=True))
    assert len(deliveries) == READERS
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    sent, duplicated = recording.sent_ids(), recording.duplicate_count()
    inbox = Notification.objects.count()
    distinct = Notification.objects.values("recipient").distinct().count()
    record(
        name,
        fault=fault,
        audience=audience + READERS,
        lost=len(deliveries - sent) + (audience - distinct),
        duplicated=duplicated + (inbox - distinct),
    )
    assert sent == deliveries and duplicated == 0
    assert inbox == distinct == audience


def send(processes: Processes, fault: str, **env: str) -> subprocess.Popen[str]:
    return processes.start("sender", fault, **env)


@pytest.mark.parametrize("fault", ["kill-after-commit", "drop-after-commit", "raising-hook"])
def test_a_fault_right_after_commit_loses_nothing(processes, settings, fault):
    configure(audience=2500)
    proc = send(processes, fault, DSN_REL_FANOUT_CHUNK="1000")
    if fault == "kill-after-commit":
        proc.wait(60)
        assert proc.returncode == -signal.SIGKILL
    else:
        result = processes.result(proc, 60)
        assert result["returned"]  # the save returned to its caller as if nothing happened
    assert Article.objects.count() == 1  # the sender's change committed ...
    event = Event.objects.get()  # ... and the event with it, in the same transaction
    assert not event.fanout_done  # with a queueing backend the rest is left to workers that are not there
    assert Notification.objects.count() == Delivery.objects.count() == 0  # the fan-out never ran

    sweep(settings)
    assert_delivered_exactly_once(f"sender fault: {fault}", 2500, fault)
    sweep(settings)  # a second sweep writes and sends nothing more
    assert_delivered_exactly_once(f"sender fault: {fault}", 2500, fault)


class TableLock:
    """Holds the inbox table locked from another connection, so an INSERT into it waits (a kill point)."""

    def __init__(self) -> None:
        params = connection.get_connection_params()
        self.conn = psycopg.connect(dbname=params["dbname"], user=params.get("user"), host=params.get("host"))
        self.conn.execute(f"LOCK TABLE {NOTIFICATION_TABLE} IN EXCLUSIVE MODE")

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def waiting_on_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'dsn_reliability_proc' AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def test_the_sender_killed_half_way_through_a_big_fan_out_loses_nothing(processes, settings):
    audience, chunk = 5000, 500
    configure(audience)
    # The immediate backend: the sender runs every chunk itself (the worst case for the request).
    proc = send(processes, "none", DSN_REL_TASKS="immediate", DSN_REL_FANOUT_CHUNK=str(chunk))
    wait_until(lambda: Notification.objects.count() >= 2 * chunk, 60, "the sender to commit two chunks")
    lock = TableLock()
    try:
        wait_until(waiting_on_lock, 60, "the sender to wait on its next chunk's INSERT")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        lock.release()
    written = Notification.objects.count()
    assert (written + READERS) % chunk == 0 and 0 < written < audience  # whole chunks only, not all of them
    assert not Event.objects.get().fanout_done

    sweep(settings)
    assert_delivered_exactly_once("sender killed mid fan-out", audience, "SIGKILL mid fan-out")


def test_a_fan_out_worker_killed_mid_chunk_loses_and_duplicates_nothing(processes, settings):
    audience, chunk = 3000, 500
    configure(audience)
    env = {"DSN_REL_TASKS": "database", "DSN_REL_FANOUT_CHUNK": str(chunk), "DSN_REL_RESUME_AFTER": "0"}
    processes.result(send(processes, "none", **env), 60)  # the request writes the event and enqueues its fan-out
    assert Notification.objects.count() == Delivery.objects.count() == 0

    lock = TableLock()
    try:
        doomed = worker(processes, env)
        wait_until(waiting_on_lock, 60, "the fan-out worker to wait on its chunk's INSERT")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
    finally:
        lock.release()
    assert Notification.objects.count() == Delivery.objects.count() == 0  # the killed chunk left nothing behind

    second = worker(processes, env)
    # Its task is RUNNING forever in the task table: the sweeper, run by the operator, resumes it.
    sweeper = processes.start_manage(["signal_notifier", "redrive"], **env)
    assert sweeper.wait(120) == 0, sweeper.communicate()[1]
    wait_until(lambda: Event.objects.filter(fanout_done=True).exists(), 120, "the second worker to finish the fan-out")
    wait_until(
        lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists() and Delivery.objects.exists(),
        60,
        "the second worker to send the readers' messages",
    )
    second.kill()
    assert_delivered_exactly_once("fan-out worker killed mid chunk", audience, "SIGKILL mid chunk")


def worker(processes: Processes, env: dict[str, str]) -> subprocess.Popen[str]:
    """A django-tasks-db worker process (the fan-out chunks and the sends are its tasks)."""
    return processes.start_manage(["db_worker", "--interval", "0.1", "--no-startup-delay"], **env)
