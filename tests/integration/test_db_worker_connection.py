"""django-tasks-db's ``db_worker`` when its PostgreSQL connection drops (issue 15, item 6).

What it does (django-tasks-db 0.13): it exits with status 1 when the drop hits its own loop (polling
for or claiming a task), and a task that was running then stays ``RUNNING`` in its table for ever:
db_worker never runs it again. A drop inside our ``deliver`` task while it records outcomes is
survived (the outbox reconnects). So the docs tell users to run db_worker under a supervisor that
restarts it, and to schedule ``redrive``; these tests show that this recovers every message, once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from django_signal_notifier.models import Delivery
from tests.support.delivery_setup import configure
from tests.support.taskpaths import TASK_BACKENDS
from tests.support.workers import Workers, postgres_workers, wait_until
from tests.testapp.models import Article, SentRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

DELIVER = "django_signal_notifier.delivery.tasks.deliver"
TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
DB_WORKER = ("db_worker", "--backend", "db", "--queue-name", "default", "--interval", "0.1", "--no-startup-delay")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = postgres_workers(tmp_path)
    pool.env.update(DSN_TASK_BACKEND="db")
    yield pool
    pool.close()


def other_backends() -> list[int]:
    """The server pids of this test database's other connections: the workers'."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cursor.fetchall()]


def task_statuses() -> Counter[str]:
    from django_tasks_db.models import DBTaskResult

    return Counter(DBTaskResult.objects.values_list("status", flat=True))


def statuses() -> Counter[str]:
    return Counter(Delivery.objects.values_list("status", flat=True))


def exited(process: subprocess.Popen[bytes], timeout: float) -> int | None:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def test_an_idle_db_worker_exits_when_its_connection_drops(workers: Workers) -> None:
    """Why the docs ask for a supervisor: the worker does not reconnect, it ends."""
    # Persistent connections, as many deployments use: the idle worker keeps one open.
    worker = workers.manage(*DB_WORKER, DSN_CONN_MAX_AGE="none")
    wait_until(other_backends, 30, lambda: f"the worker to connect; log:\n{workers.output(worker)}")
    with connection.cursor() as cursor:
        for pid in other_backends():
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    code = exited(worker, 30)
    assert code == 1, f"db_worker went on (exit {code}); if it reconnects now, update docs/delivery.md"
    assert "OperationalError" in workers.output(worker)


def test_a_connection_dropped_mid_run_is_recovered_by_a_restarted_worker_and_redrive(workers: Workers) -> None:
    with override_settings(TASKS=TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "db"}):
        configure(3)
        Article.objects.create(title="dropped mid-run")
    assert statuses() == {} and task_statuses() == {"READY": 1}  # the request enqueued the fan-out

    # The worker writes the fan-out; its connection is terminated as its deliver task starts: the
    # task fails to claim, db_worker cannot record the failure on the dead connection, and exits.
    doomed = workers.manage(*DB_WORKER, DSN_TEST_DROP_ON_START=DELIVER)
    code = exited(doomed, 30)
    assert code == 1, workers.output(doomed)
    assert task_statuses() == {"SUCCESSFUL": 1, "RUNNING": 1}  # the deliver task stuck: no db_worker runs it again
    assert statuses() == {"pending": 3} and SentRecord.objects.count() == 0

    # The supervisor restarts the worker: it serves new tasks but never the stuck one.
    restarted = workers.manage(*DB_WORKER)
    wait_until(other_backends, 30, lambda: f"the restarted worker to connect; log:\n{workers.output(restarted)}")
    time.sleep(1.0)
    assert statuses() == {"pending": 3} and task_statuses()["RUNNING"] == 1

    # The scheduled redrive sends what the stuck task held, each message once.
    sweeper = workers.manage("signal_notifier", "redrive", "--json")
    assert workers.finish(sweeper) == 0, workers.output(sweeper)
    assert statuses() == {"sent": 3}
    assert set(Counter(SentRecord.objects.values_list("delivery_id", flat=True)).values()) == {1}
    assert SentRecord.objects.count() == 3

    # And the restarted worker delivers the next event by itself.
    with override_settings(TASKS=TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "db"}):
        Article.objects.create(title="after the restart")
    wait_until(lambda: statuses() == {"sent": 6}, 30, lambda: f"{statuses()}; log:\n{workers.output(restarted)}")
    assert set(Counter(SentRecord.objects.values_list("delivery_id", flat=True)).values()) == {1}
    assert restarted.poll() is None
    os.kill(restarted.pid, signal.SIGTERM)  # a graceful stop, as a supervisor does
    assert exited(restarted, 30) == 0
