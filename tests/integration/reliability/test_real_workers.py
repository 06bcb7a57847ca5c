"""Load with the worker processes users run, faults injected into them: ``db_worker`` and Celery.

The load test (test_load.py) drives the outbox with the suite's own worker loop. Here writer
processes save articles while real workers run the package's tasks: ``manage.py db_worker``
(django-tasks' database backend) and ``celery worker`` (the package's Celery backend, Redis
broker). One worker is killed with SIGKILL in the middle of a batch of sends (it holds claimed
deliveries and, for Celery, an unacknowledged message); another worker is started in its place;
the sweeper (``signal_notifier redrive``) is run until nothing is left. Every delivery must then
have been sent exactly once (the durable send log of ``LoadRecordingMessenger``).

CI-sized by default (2 writers for a few seconds, ≤ 60 s per test); ``DSN_FULL_LOAD=1`` (the
report's ``--full``) runs more writers for longer. PostgreSQL run only; Celery needs Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from django.db import connection

from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from tests.conftest import require_service
from tests.integration.reliability.conftest import Processes, wait_until
from tests.integration.reliability.figures import record
from tests.support import recording
from tests.support.factories import subscribe, user
from tests.support.workers import REDIS_URL, celery_worker_args
from tests.testapp.models import Article

FULL = os.environ.get("DSN_FULL_LOAD") == "1"
WRITERS = 4 if FULL else 2
SECONDS = 60.0 if FULL else 6.0
MAX_EVENTS = 100 if FULL else 30  # per writer: what the workers of a 2-core machine drain in time
HEALTHY_WORKERS = 2
RECIPIENTS = 3
HANG_AFTER = 3  # sends the doomed worker makes before it stops mid-batch (and is killed)
CLAIM_TIMEOUT = "3"  # seconds: the killed worker's claimed deliveries are due again after that

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.timeout(SECONDS + 240)]

CELERY_WORKER = celery_worker_args("WARNING")
DB_WORKER = ["-m", "django", "db_worker", "--interval", "0.1", "--no-startup-delay"]


def configure() -> None:
    readers = [user(f"reader{i}") for i in range(RECIPIENTS)]
    subscribe("post_save", Article, users=readers, messenger=recording.LoadRecordingMessenger.channel_name())


def finished() -> bool:
    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]
    return (
        not Event.objects.filter(fanout_done=False).exists()
        and not Delivery.objects.filter(status__in=open_statuses).exists()
    )


def open_work() -> tuple[int, int]:
    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]
    return Event.objects.filter(fanout_done=False).count(), Delivery.objects.filter(status__in=open_statuses).count()


def wait_for_the_workers(timeout: float, still: float = 6.0) -> None:
    """Let the workers run until they finish or make no progress for ``still`` seconds.

    What they cannot finish is the killed worker's: its task stays "running" for the task backend
    (or unacknowledged in the broker) and its deliveries claimed, until the sweeper takes them.
    """
    deadline = time.monotonic() + timeout
    last, since = open_work(), time.monotonic()
    while not finished() and time.monotonic() < deadline:
        time.sleep(0.5)
        now = open_work()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > still:
            return


def redrive_until_done(processes: Processes, env: dict[str, str], timeout: float) -> int:
    """Run the sweeper (as an operator's cron does) until every fan-out is done and nothing is left to send."""
    runs = 0
    deadline = time.monotonic() + timeout
    while not finished():
        if time.monotonic() > deadline:
            pytest.fail(f"not finished after {runs} redrive runs: {_left()}")
        sweeper = subprocess.run(
            [sys.executable, "-m", "django", "signal_notifier", "redrive"],
            env={**processes.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sweeper.returncode in (0, 1), sweeper.stderr[-2000:]
        runs += 1
        time.sleep(0.5)
    return runs


def _left() -> str:
    rows = Delivery.objects.exclude(status=DeliveryStatus.SENT).values_list("pk", "status", "attempts")
    return f"{Event.objects.filter(fanout_done=False).count()} fan-outs open; not sent: {list(rows)[:20]}"


def sends_by_process() -> Counter[int]:
    """How many messages each process sent (the durable send log records the sender's pid)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pid, COUNT(*) FROM {recording.SENT_TABLE} GROUP BY pid")
        return Counter({int(pid): int(count) for pid, count in cursor.fetchall()})


def exactly_once(name: str, events: int, workers: str, worker_pids: set[int], redrives: int) -> None:
    """Record the figures and check that every expected delivery exists and was sent exactly once."""
    expected = events * RECIPIENTS
    by_process = sends_by_process()
    by_workers = sum(count for pid, count in by_process.items() if pid in worker_pids)
    deliveries = set(Delivery.objects.values_list("pk", flat=True))
    sent = recording.sent_ids()
    lost = len(deliveries - sent) + max(0, expected - len(deliveries))
    duplicated = recording.duplicate_count()
    record(
        name,
        real_workers=workers,
        writers=WRITERS,
        seconds=SECONDS,
        events=events,
        deliveries=len(deliveries),
        sent=len(sent),
        sent_by_workers=by_workers,
        faults=1,
        redrives=redrives,
        lost=lost,
        duplicated=duplicated,
        full=FULL,
    )
    assert events > 0
    assert Event.objects.count() == events
    assert len(deliveries) == expected
    assert (lost, duplicated) == (0, 0)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # The real workers did the work (the sweeper only picks up what the killed one held).
    assert by_workers > len(sent) // 2, by_process


def load_with_a_killed_worker(
    processes: Processes, env: dict[str, str], command: list[str], program: str, name: str
) -> None:
    """Writers save while ``command`` workers run the tasks; the first worker is SIGKILLed mid-batch."""
    configure()
    processes.hook("hang").touch()
    doomed = processes.start_logged(command, "doomed.log", **env, DSN_REL_HANG_AFTER=str(HANG_AFTER))
    writers = [processes.start("writer", str(SECONDS), str(MAX_EVENTS), **env) for _ in range(WRITERS)]
    try:
        wait_until(processes.hook("hanging").exists, 45, f"the doomed worker to send {HANG_AFTER} messages and stop")
    except BaseException:
        print(f"doomed worker's log:\n{processes.log('doomed.log')}\n{_left()}; sent: {len(recording.sent_ids())}")
        raise
    # Killed holding claimed deliveries (and, for Celery, its unacknowledged message); the others go on.
    processes.kill(doomed)
    processes.hook("hang").unlink()
    healthy = [
        processes.start_logged(command, f"worker-{i}.log", **env, DSN_REL_HANG="") for i in range(HEALTHY_WORKERS)
    ]
    events = sum(processes.result(writer, SECONDS + 60)["events"] for writer in writers)
    wait_for_the_workers(SECONDS + 120 if FULL else 40)
    redrives = redrive_until_done(processes, env, 90)
    time.sleep(0.5)  # a duplicate send, if there were one, would land now
    for worker in healthy:
        assert worker.poll() is None, processes.log(f"worker-{healthy.index(worker)}.log")
    worker_pids = {doomed.pid, *(worker.pid for worker in healthy)}
    exactly_once(name, events, program, worker_pids, redrives)


def test_db_workers_under_load_one_killed_mid_batch(processes: Processes) -> None:
    env = {"DSN_REL_TASKS": "database", "DSN_REL_CLAIM_TIMEOUT": CLAIM_TIMEOUT, "DSN_REL_RESUME_AFTER": "5"}
    load_with_a_killed_worker(processes, env, DB_WORKER, "manage.py db_worker", "db_worker SIGKILL mid-batch")


def test_celery_workers_under_load_one_killed_mid_batch_and_restarted(processes: Processes) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    env = {
        "DSN_REL_TASKS": "celery",
        "DSN_REL_CLAIM_TIMEOUT": CLAIM_TIMEOUT,
        "DSN_REL_RESUME_AFTER": "5",
        "DSN_CELERY_BROKER": REDIS_URL,
        "DSN_CELERY_PREFIX": f"dsn-rel-{uuid.uuid4().hex[:12]}:",
        "DSN_CELERY_VISIBILITY": "5",  # the killed worker's unacknowledged message comes back after 5 s
    }
    load_with_a_killed_worker(
        processes, env, CELERY_WORKER, "celery worker", "celery worker SIGKILL mid-batch + restart"
    )
