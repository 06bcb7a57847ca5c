"""Which worker process ran which task: worker processes under test log the Tasks API's signals.

With ``DSN_TEST_TASK_LOG`` set to a folder, each process appends one JSON line per
``task_started`` / ``task_finished`` to ``<folder>/<pid>.jsonl`` (its pid and parent pid: an RQ
worker runs each job in a forked child). With ``DSN_TEST_CHUNK_TURNS`` set, a process that has
written a fan-out chunk waits (at most ``CHUNK_TURN_LIMIT`` seconds) until another process has
taken the event's next chunk or the fan-out is done, so that the chunks of one event are shared
by the workers whatever the broker's timing; the wait cannot force which process takes a chunk.
With ``DSN_TEST_DROP_ON_START`` set to a task's path, the process terminates its own database
connection (``pg_terminate_backend``) as that task starts: the connection drops mid-run.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from pathlib import Path
from typing import Any

CHUNK_TURN_LIMIT = 20.0
FAN_OUT_CHUNK = "django_signal_notifier.fanout.chain.fan_out_chunk"


def connect_from_environment() -> None:
    """Connect the receivers when the environment asks for them (worker processes of the tests)."""
    if not (os.environ.get("DSN_TEST_TASK_LOG") or os.environ.get("DSN_TEST_DROP_ON_START")):
        return
    for module in ("django.tasks.signals", "django_tasks.signals"):
        # Both when both exist: on Django 6, django-tasks-rq 0.12 sends the backport's signals.
        try:
            signals = importlib.import_module(module)
        except ImportError:
            continue
        signals.task_started.connect(_log_started, dispatch_uid=f"tests.tasklog.started.{module}")
        signals.task_finished.connect(_log_finished, dispatch_uid=f"tests.tasklog.finished.{module}")


def _log_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _write("started", sender, task_result)
    if os.environ.get("DSN_TEST_DROP_ON_START") == task_result.task.module_path:
        _terminate_own_connection()


def _terminate_own_connection() -> None:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    except DatabaseError:
        pass  # the server ended this very statement's connection, as asked


def _log_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _write("finished", sender, task_result)
    if os.environ.get("DSN_TEST_CHUNK_TURNS") and task_result.task.module_path == FAN_OUT_CHUNK:
        _wait_for_another_chunk(*task_result.args)


def _write(phase: str, sender: Any, result: Any) -> None:
    if not os.environ.get("DSN_TEST_TASK_LOG"):
        return
    line = {
        "phase": phase,
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "sender": sender.__name__,
        "task": result.task.module_path,
        "id": result.id,
        "args": result.args,
        "status": str(result.status),
        "backend": result.backend,
        "queue": result.task.queue_name,
        "worker_ids": list(result.worker_ids),
        "errors": [error.exception_class_path for error in result.errors],
        "at": time.time(),
    }
    path = Path(os.environ["DSN_TEST_TASK_LOG"]) / f"{os.getpid()}.jsonl"
    with path.open("a") as log:
        log.write(json.dumps(line) + "\n")


def _wait_for_another_chunk(event_id: int, step: int) -> None:
    from django_signal_notifier.models import Event

    deadline = time.monotonic() + CHUNK_TURN_LIMIT
    while time.monotonic() < deadline:
        row = Event.objects.filter(pk=event_id).values("fanout_step", "fanout_done").first()
        if row is None or row["fanout_done"] or row["fanout_step"] >= step + 2:
            return
        time.sleep(0.05)


def read(folder: Path) -> list[dict[str, Any]]:
    """Every line the worker processes logged, in no particular order."""
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]
