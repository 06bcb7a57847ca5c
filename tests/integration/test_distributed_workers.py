"""One event's fan-out and sends spread over two real worker processes: Celery and RQ on Redis.

A save whose audience is a group of 4 × FANOUT_CHUNK_SIZE users: the request writes the first
chunk, the workers write the others (each chunk a task of its own) and send the deliveries. Each
worker logs the Tasks API's ``task_started``/``task_finished`` signals with its pid
(tests/support/tasklog.py), so the test sees which process ran which chunk and which send.
PostgreSQL only, like every test with worker processes (tests/support/workers.py).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from django_signal_notifier.models import Backend, Delivery, Event, Subscription, Trigger
from tests.conftest import require_service
from tests.support import recording, tasklog
from tests.support.taskpaths import TASK_BACKENDS
from tests.support.workers import REDIS_URL, Workers, postgres_workers, wait_until
from tests.testapp.models import Article, SentRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

CHUNK = 50
AUDIENCE = 4 * CHUNK
BATCH = 10  # DELIVERY_BATCH_SIZE: 20 deliver tasks, so that the sends spread too
FAN_OUT_CHUNK = tasklog.FAN_OUT_CHUNK
DELIVER = "django_signal_notifier.delivery.tasks.deliver"
TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "celery": {
        "BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend",
        "QUEUES": ["default", "urgent"],
    },
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}


def celery_worker(name: str, *queues: str) -> tuple[str, ...]:
    return (
        "-m",
        "celery",
        "-A",
        "django_signal_notifier.delivery.backends.celery",
        "worker",
        "-Q",
        ",".join(queues or ("default",)),
        "-n",
        f"{name}@%h",
        "--pool",
        "solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "INFO",
    )


RQ_WORKER = ("-m", "django", "rqworker", "default", "--job-class", "django_tasks_rq.Job", "--with-scheduler")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    require_service("Redis", "127.0.0.1", 6379)
    pool = postgres_workers(tmp_path)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    (tmp_path / "tasks").mkdir()
    pool.env.update(
        DSN_TEST_TASK_LOG=str(tmp_path / "tasks"),
        DSN_RQ_URL=REDIS_URL,
        DSN_FANOUT_CHUNK_SIZE=str(CHUNK),
        DSN_DELIVERY_BATCH_SIZE=str(BATCH),
    )
    yield pool
    pool.close()


@pytest.fixture
def celery_app() -> Any:
    from django_signal_notifier.delivery.backends.celery import package_app

    app = package_app()
    app.conf.broker_url = REDIS_URL
    return app


def group_audience(size: int) -> Group:
    """A trigger on Article whose subscription sends to a group of ``size`` users (rows recorded)."""
    assert recording.DurableRecordingMessenger.store == "rows"  # registered, writes SentRecord rows
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [user_model(username=f"member-{i}", email=f"m{i}@example.test") for i in range(size)]
    )
    group = Group.objects.create(name="everyone")
    group.user_set.add(*user_model.objects.filter(username__startswith="member-"))
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article), name="articles"
    )
    backend = Backend.objects.create(messenger="DurableRecordingMessenger", name="recording")
    subscription = Subscription.objects.create(trigger=trigger, name="everyone")
    subscription.backends.add(backend)
    subscription.receiver_groups.add(group)
    return group


def unsent() -> str:
    """What is left, for a failure message."""
    rows = Delivery.objects.exclude(status="sent").values_list("pk", "status", "attempts", "last_error")
    return f"{Event.objects.values('fanout_step', 'fanout_done').first()}; not sent: {list(rows)[:20]}"


def owner(line: dict[str, Any], worker_pids: set[int]) -> int:
    """The worker process behind a log line (an RQ worker runs each job in a forked child)."""
    return int(line["pid"]) if line["pid"] in worker_pids else int(line["ppid"])


def spread_over_two_workers(workers: Workers, backend: str, commands: list[tuple[str, ...]]) -> None:
    """The shared scenario: start two workers, save once, check who did what."""
    group = group_audience(AUDIENCE)
    started = [workers.start(*command, DSN_TASK_BACKEND=backend, DSN_TEST_CHUNK_TURNS="1") for command in commands]
    worker_pids = {process.pid for process in started}
    settings = {"TASK_BACKEND": backend, "FANOUT_CHUNK_SIZE": CHUNK, "DELIVERY_BATCH_SIZE": BATCH}
    with override_settings(TASKS=TASKS, SIGNAL_NOTIFIER=settings):
        Article.objects.create(title="for everyone")
        # The request wrote the event and enqueued its fan-out (it may already be running on a worker).
        assert Event.objects.count() == 1

        def sent() -> int:
            if any(process.poll() is not None for process in started):
                pytest.fail(f"a worker exited; logs:\n{workers.outputs()}")
            return Delivery.objects.filter(status="sent").count()

        wait_until(
            lambda: sent() == AUDIENCE and Event.objects.filter(fanout_done=True).count() == 1,
            90,
            lambda: f"{sent()} of {AUDIENCE} sent; {unsent()}; logs:\n{workers.outputs()}",
        )
    time.sleep(0.5)  # a duplicate send, if there were one, would land now

    # Every member got exactly one delivery, sent exactly once.
    members = set(group.user_set.values_list("pk", flat=True))
    per_recipient = Counter(Delivery.objects.values_list("recipient_id", flat=True))
    assert set(per_recipient) == members and set(per_recipient.values()) == {1}
    assert Counter(Delivery.objects.values_list("status", flat=True)) == {"sent": AUDIENCE}
    sends = Counter(SentRecord.objects.values_list("delivery_id", flat=True))
    assert len(sends) == AUDIENCE and set(sends.values()) == {1}

    lines = tasklog.read(workers.tmp_path / "tasks")
    runs = [line for line in lines if line["phase"] == "started"]
    assert {line["backend"] for line in runs} == {backend}
    # The fan-out chunks: each run once, by both workers.
    chunks = [line for line in runs if line["task"] == FAN_OUT_CHUNK]
    steps = Counter(line["args"][1] for line in chunks)
    assert set(steps.values()) == {1}, steps
    assert min(steps) == 0 and len(steps) >= 4, steps  # steps 0, 1, 2, 3 (and maybe an empty 4th)
    assert {owner(line, worker_pids) for line in chunks} == worker_pids
    # The sends: by both workers, none by the test process.
    process_of = {line["pid"]: owner(line, worker_pids) for line in runs}
    senders = Counter(process_of[pid] for pid in SentRecord.objects.values_list("pid", flat=True))
    assert set(senders) == worker_pids, senders
    assert sum(1 for line in runs if line["task"] == DELIVER) >= AUDIENCE // BATCH
    finished = [line for line in lines if line["phase"] == "finished"]
    assert Counter(line["status"] for line in finished) == {"SUCCESSFUL": len(runs)}


def test_celery_two_workers_share_one_events_chunks_and_sends(workers: Workers, celery_app: Any) -> None:
    spread_over_two_workers(workers, "celery", [celery_worker("one"), celery_worker("two")])


def test_rq_two_workers_share_one_events_chunks_and_sends(workers: Workers) -> None:
    spread_over_two_workers(workers, "rq", [RQ_WORKER, RQ_WORKER])


def test_celery_backend_contract_with_a_real_worker(workers: Workers, celery_app: Any) -> None:
    """Signals on both sides, run_after honoured, each queue consumed by its own worker."""
    from django_signal_notifier.taskapi import task_backends
    from tests.support.tasks import echo, explode

    try:
        from django.tasks.signals import task_enqueued  # type: ignore[import-not-found]
    except ImportError:
        from django_tasks.signals import task_enqueued

    enqueued: list[Any] = []

    def on_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
        enqueued.append((sender, task_result))

    task_enqueued.connect(on_enqueued)
    try:
        with override_settings(TASKS=TASKS):
            default_worker = workers.start(*celery_worker("plain", "default"))
            urgent_worker = workers.start(*celery_worker("urgent", "urgent"))
            backend = task_backends["celery"]
            later = timezone.now() + timedelta(seconds=3)
            deferred = echo.using(backend="celery", run_after=later).enqueue("later")
            now = echo.using(backend="celery").enqueue("now")
            urgent = echo.using(backend="celery", queue_name="urgent").enqueue("urgent")
            failing = explode.using(backend="celery").enqueue("on purpose")
    finally:
        task_enqueued.disconnect(on_enqueued)

    ids = [deferred.id, now.id, urgent.id, failing.id]
    assert [result.id for _, result in enqueued] == ids
    assert {sender for sender, _ in enqueued} == {type(backend)}
    assert all(result.status == "READY" and result.backend == "celery" for _, result in enqueued)

    def logged() -> dict[tuple[str, str], dict[str, Any]]:
        return {(line["id"], line["phase"]): line for line in tasklog.read(workers.tmp_path / "tasks")}

    wait_until(lambda: all((result_id, "finished") in logged() for result_id in ids), 60, lambda: workers.outputs())
    lines = logged()
    for result_id in ids:
        start, finish = lines[(result_id, "started")], lines[(result_id, "finished")]
        assert start["sender"] == finish["sender"] == "CeleryBackend"
        assert start["status"] == "RUNNING" and start["backend"] == "celery"
        assert start["worker_ids"] and start["worker_ids"][0].split("@")[0] in {"plain", "urgent"}
    assert lines[(now.id, "finished")]["status"] == "SUCCESSFUL"
    assert lines[(failing.id, "finished")]["status"] == "FAILED"
    assert lines[(failing.id, "finished")]["errors"] == ["builtins.ValueError"]
    # run_after: not started before it was due (the worker's clock is this machine's).
    assert lines[(deferred.id, "started")]["at"] >= later.timestamp()
    # Queues: the urgent task ran on the worker of that queue only, and kept its queue name.
    assert lines[(urgent.id, "started")]["pid"] == urgent_worker.pid
    assert lines[(urgent.id, "started")]["queue"] == "urgent"
    assert {lines[(result_id, "started")]["pid"] for result_id in (deferred.id, now.id, failing.id)} == {
        default_worker.pid
    }
