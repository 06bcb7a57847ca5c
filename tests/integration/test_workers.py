"""Real worker processes against the real PostgreSQL and Redis of this machine.

Each test starts workers as subprocesses on the pytest-django test database (PostgreSQL only:
an in-memory SQLite database cannot be shared), waits with a deadline, and kills them at the end
(tests/support/workers.py).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.models import Delivery, DeliveryStatus
from tests.conftest import require_service
from tests.support.delivery_setup import configure
from tests.support.taskpaths import TASK_BACKENDS
from tests.support.workers import REDIS_URL, Workers, celery_worker_args, postgres_workers, wait_until
from tests.testapp.models import Article, SentRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

WORKER_TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "celery": {"BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend"},
}


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = postgres_workers(tmp_path)
    yield pool
    pool.close()


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the deliveries pending in the outbox, as after a crash of the task backend."""
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)


def statuses() -> Counter[str]:
    return Counter(Delivery.objects.values_list("status", flat=True))


def sends_per_delivery() -> Counter[int]:
    return Counter(SentRecord.objects.values_list("delivery_id", flat=True))


def test_django_tasks_db_worker_delivers_and_retries_deferred(workers: Workers) -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=WORKER_TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "db", "RETRY_BASE_DELAY": 0.5}):
        configure(3, options={"fail_times": 1})
        Article.objects.create(title="queued in the database")
        # The request path only wrote the event and enqueued its fan-out: one task.
        assert statuses() == {}
        assert DBTaskResult.objects.count() == 1
        worker = workers.manage(
            "db_worker",
            "--backend",
            "db",
            "--queue-name",
            "default",
            "--interval",
            "0.1",
            "--no-startup-delay",
            DSN_RETRY_BASE_DELAY="0.5",
            DSN_TASK_BACKEND="db",
        )
        # First attempt fails (503); the worker enqueues a deferred retry that it runs when due.
        wait_until(
            lambda: statuses() == {"sent": 3},
            60,
            lambda: f"the db worker to send ({statuses()}); log:\n{workers.output(worker)}",
        )
    assert set(sends_per_delivery().values()) == {1}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}
    assert os.getpid() not in set(SentRecord.objects.values_list("pid", flat=True))
    # The fan-out, the deliveries' task, and one deferred retry per delivery.
    assert DBTaskResult.objects.count() == 1 + 1 + 3


def test_celery_worker_with_redis_broker_delivers(workers: Workers) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from django_signal_notifier.delivery.backends.celery import app

    app.conf.broker_url = REDIS_URL
    with override_settings(TASKS=WORKER_TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "celery"}):
        configure(4, options={"fail_times": 1})
        Article.objects.create(title="through celery")
        assert statuses() == {}  # the fan-out itself is a task on the worker
        worker = workers.start(
            *celery_worker_args(),
            DSN_TASK_BACKEND="celery",
            DSN_RETRY_BASE_DELAY="0.5",
        )
        wait_until(
            lambda: statuses() == {"sent": 4},
            60,
            lambda: f"the celery worker to send ({statuses()}); log:\n{workers.output(worker)}",
        )
    assert set(sends_per_delivery().values()) == {1}
    assert os.getpid() not in set(SentRecord.objects.values_list("pid", flat=True))
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}  # retried through Celery's eta
    assert "django_signal_notifier.run_task" in workers.output(worker)


def _claims_expired() -> bool:
    return not Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_until__gte=timezone.now()).exists()


def test_sigkill_mid_batch_loses_nothing_and_duplicates_nothing(workers: Workers, no_enqueue: None) -> None:
    configure(6)
    Article.objects.create(title="crash")
    assert statuses() == {"pending": 6}
    # Worker A claims all six, sends two, and hangs before the third send: then it is killed.
    doomed = workers.manage("signal_notifier", "redrive", DSN_TEST_HANG_AT="3", DSN_CLAIM_TIMEOUT="8")
    wait_until(lambda: statuses() == {"sent": 2, "sending": 4}, 60, "worker A to send two of six")
    os.kill(doomed.pid, signal.SIGKILL)
    assert doomed.wait(timeout=10) == -signal.SIGKILL
    assert SentRecord.objects.count() == 2

    # While the lease runs (8 s, ample for this check), nobody else takes the dead worker's claims.
    assert Delivery.objects.filter(claimed_until__gt=timezone.now() + timedelta(seconds=2)).count() == 4
    assert deliver_due() == {}
    assert statuses() == {"sent": 2, "sending": 4}

    wait_until(_claims_expired, 30, "the dead worker's lease to expire")
    rescuer = workers.manage("signal_notifier", "redrive", "--json")
    assert workers.finish(rescuer) == 0, workers.output(rescuer)
    assert '"sent": 4' in workers.output(rescuer)
    assert statuses() == {"sent": 6}
    assert sends_per_delivery() == Counter({d: 1 for d in Delivery.objects.values_list("pk", flat=True)})


def test_a_crash_between_send_and_mark_resends_that_one_message(workers: Workers, no_enqueue: None) -> None:
    """The documented at-least-once window: the message left, the worker died before recording it."""
    configure(3)
    Article.objects.create(title="window")
    doomed = workers.manage(
        "signal_notifier", "redrive", DSN_TEST_HANG_AT="1", DSN_TEST_HANG_PHASE="after", DSN_CLAIM_TIMEOUT="1"
    )
    wait_until(lambda: SentRecord.objects.count() == 1, 60, "worker A to send its first message")
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    first = SentRecord.objects.get().delivery_id
    assert Delivery.objects.get(pk=first).status == DeliveryStatus.SENDING  # sent, not yet recorded

    wait_until(_claims_expired, 30, "the lease to expire")
    assert workers.finish(workers.manage("signal_notifier", "redrive")) == 0
    assert statuses() == {"sent": 3}
    sends = sends_per_delivery()
    assert sends[first] == 2  # resent once, with the same delivery id (the idempotency key)
    assert sorted(sends.values()) == [1, 1, 2]


def test_two_concurrent_workers_send_each_delivery_once(workers: Workers, no_enqueue: None, tmp_path: Path) -> None:
    configure(40)
    Article.objects.create(title="contended")
    release = tmp_path / "release"
    # Worker A claims a batch of five and pauses, holding its claims, after its first send.
    first = workers.manage(
        "signal_notifier",
        "redrive",
        DSN_DELIVERY_BATCH_SIZE="5",
        DSN_TEST_PAUSE_AT="1",
        DSN_TEST_PAUSE_FILE=str(release),
    )
    wait_until(lambda: SentRecord.objects.filter(pid=first.pid).exists(), 60, "worker A's first send")
    # Worker B runs meanwhile and takes everything A does not hold.
    second = workers.manage("signal_notifier", "redrive", DSN_DELIVERY_BATCH_SIZE="5")
    assert workers.finish(second) == 0, workers.output(second)
    release.touch()
    assert workers.finish(first) == 0, workers.output(first)

    assert statuses() == {"sent": 40}
    assert set(sends_per_delivery().values()) == {1}
    assert len(sends_per_delivery()) == 40
    per_worker = Counter(SentRecord.objects.values_list("pid", flat=True))
    assert per_worker == {first.pid: 5, second.pid: 35}
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()
    assert Delivery.objects.filter(updated_at__lt=timezone.now() - timedelta(minutes=5)).count() == 0


CELERY_WORKER = (
    "-m",
    "celery",
    "-A",
    "django_signal_notifier.delivery.backends.celery",
    "worker",
    "-Q",
    "default",
    "--pool",
    "solo",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
    "-l",
    "INFO",
)


def test_a_killed_celery_worker_loses_nothing_and_sends_nothing_twice(workers: Workers) -> None:
    """SIGKILL mid-batch; a second Celery worker and the periodic redrive (beat's job) finish it.

    Redis' own redelivery of the unacknowledged message (acks_late) may also happen, at a time
    the broker decides; either way the claims make every delivery go out exactly once.
    """
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    from django_signal_notifier.delivery.tasks import redrive

    redis.Redis.from_url(REDIS_URL).flushdb()
    from django_signal_notifier.delivery.backends.celery import app

    app.conf.broker_url = REDIS_URL
    knobs = {"DSN_TASK_BACKEND": "celery", "DSN_CLAIM_TIMEOUT": "2", "DSN_CELERY_VISIBILITY": "3"}
    with override_settings(TASKS=WORKER_TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "celery"}):
        configure(3)
        Article.objects.create(title="celery crash")
        doomed = workers.start(*CELERY_WORKER, DSN_TEST_HANG_AT="2", **knobs)
        wait_until(lambda: statuses() == {"sent": 1, "sending": 2}, 60, lambda: workers.output(doomed))
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        rescuer = workers.start(*CELERY_WORKER, **knobs)
        periodic = redrive.using(backend="celery")
        next_redrive = 0.0

        def finished() -> bool:
            nonlocal next_redrive
            if time.monotonic() >= next_redrive:  # what a beat schedule does, every 2 s here
                periodic.enqueue()
                next_redrive = time.monotonic() + 2
            return statuses() == {"sent": 3}

        wait_until(finished, 60, lambda: f"{statuses()}; log:\n{workers.output(rescuer)}")
    assert set(sends_per_delivery().values()) == {1}
    assert len(set(SentRecord.objects.values_list("pid", flat=True))) == 2
