"""S7: one save whose audience is 1,000,000 users (a group), with a queueing backend (PostgreSQL).

The task backend is django-tasks-db's database backend and the workers are real processes
running its ``db_worker`` (``python -m benchmarks.worker --tasks queue``). Measured:

- the *request path*: the save inside ``transaction.atomic()`` with its COMMIT and what runs
  after it in the request (the Event row, the first chunk of ``FANOUT_CHUNK_SIZE`` recipients,
  the next chunk's task), timed in alternating rounds against a save whose audience is one user
  (S2's case, same backend); also the request at 10,000 recipients;
- the *fan-out* with 1 and with 2 worker processes: from the save until the event's last chunk
  committed, in inbox rows per second, and each worker's peak resident memory (``ru_maxrss``),
  compared with a worker's peak for a 10,000-recipient audience;
- the *e-mail case*: 100,000 recipients on the ``EmailMessenger`` with the package's default
  template (a greeting per recipient, an HTML alternative), sent by the workers through Django's
  console e-mail backend (each message built and written, to /dev/null): the fan-out's Delivery
  rows per second, and the messages sent per second until the last one.

Users are created by one ``INSERT … SELECT generate_series`` (about 15 s per million here).
``python -m benchmarks --s7-audience N --s7-email-audience M`` changes the sizes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import override_settings

from benchmarks.benchapp.models import Idle, Post
from benchmarks.harness import Result, Settings, compare, count_queries, median_time, refresh_index

NAME = "S7"
TITLE = "one save, a big audience (group), queueing backend"
TARGET = "request ≤ 1.5× S2's; peak memory per worker ≤ 1.25× its peak at 10,000"
REQUEST_RATIO = 1.5
MEMORY_RATIO = 1.25
WORKER_COUNTS = (1, 2)
BACKEND = "queue"  # benchmarks.settings: django-tasks-db's DatabaseBackend
ROOT = Path(__file__).resolve().parents[2]
PREFIX = "s7_"


def run(settings: Settings) -> list[Result]:
    from django_signal_notifier.messengers.registry import messenger_registry

    if connection.vendor != "postgresql":
        return [_unavailable("not available: S7 runs on PostgreSQL (bulk user creation, concurrent workers)")]
    if BACKEND not in django_settings.TASKS:
        return [_unavailable("not available: django-tasks-db is not installed (pip install django-tasks-db)")]
    audience = settings.audience or settings.pick(1_000_000, 3_000)
    baseline = min(audience, settings.pick(10_000, 300))
    email_audience = settings.email_audience or settings.pick(100_000, 600)
    chunk = settings.pick(None, 200)  # quick: several chunks even at its small sizes
    create_users(max(audience, email_audience))
    groups = {size: member_group(size) for size in {audience, baseline, email_audience}}
    deadline = settings.pick(3600.0, 120.0)
    with queueing(chunk) as chunk_size:
        inbox = subscribe(Post, "InSiteMessenger", groups[audience])
        one = subscribe(Idle, "InSiteMessenger", None)
        results = [request_path(settings, inbox, groups, audience, baseline)]
        memory_base = fan_out(inbox, groups[baseline], baseline, 1, chunk, deadline)
        results.append(fan_out_result(memory_base, memory_base, chunk_size, baseline=True))
        for workers in WORKER_COUNTS:
            measured = fan_out(inbox, groups[audience], audience, workers, chunk, deadline)
            results.append(fan_out_result(measured, memory_base, chunk_size))
        inbox.trigger.delete()
        one.trigger.delete()
        if messenger_registry.get("EmailMessenger") is None:
            results.append(_unavailable("not available: no messenger is registered as EmailMessenger"))
            return results
        email = subscribe(Post, "EmailMessenger", groups[email_audience])
        for workers in WORKER_COUNTS:
            measured = fan_out(email, groups[email_audience], email_audience, workers, chunk, deadline, email=True)
            results.append(fan_out_result(measured, memory_base, chunk_size))
    return results


def _unavailable(notes: str) -> Result:
    return Result(NAME, "1,000,000 recipients", TARGET, available=False, notes=notes)


def create_users(count: int) -> None:
    """``count`` active users with e-mail addresses, in one statement."""
    table = connection.ops.quote_name(get_user_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) "
            f"SELECT '', false, %s || n, '', '', %s || n || '@example.com', false, true, now() "
            "FROM generate_series(1, %s) AS n",
            [PREFIX, PREFIX, count],
        )
        cursor.execute(f"ANALYZE {table}")


def member_group(size: int) -> Group:
    """A group of the first ``size`` users, in one statement."""
    group = Group.objects.create(name=f"s7-{size}")
    user_model = get_user_model()
    members = connection.ops.quote_name(user_model.groups.through._meta.db_table)
    users = connection.ops.quote_name(user_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {members} (user_id, group_id) "
            f"SELECT id, %s FROM {users} WHERE username LIKE %s ORDER BY id LIMIT %s",
            [group.pk, f"{PREFIX}%", size],
        )
        cursor.execute(f"ANALYZE {members}")
    return group


@contextmanager
def queueing(chunk: int | None) -> Iterator[int]:
    """The queueing backend (and, in quick mode, a small chunk size) for this process's saves."""
    from django_signal_notifier.conf import app_settings

    namespace = {**django_settings.SIGNAL_NOTIFIER, "TASK_BACKEND": BACKEND}
    if chunk:
        namespace["FANOUT_CHUNK_SIZE"] = chunk
    with override_settings(SIGNAL_NOTIFIER=namespace):
        yield int(app_settings.FANOUT_CHUNK_SIZE)


def subscribe(model: Any, messenger: str, group: Group | None) -> Any:
    """A post_save trigger on ``model`` with one subscription: ``group``, or one user if None."""
    from django.contrib.contenttypes.models import ContentType

    from django_signal_notifier.models import Backend, Subscription, Trigger

    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(model)
    )
    backend = Backend.objects.create(messenger=messenger)
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(backend)
    if group is None:
        subscription.receiver_users.add(get_user_model()._default_manager.order_by("pk").first())
    else:
        subscription.receiver_groups.add(group)
    refresh_index()
    return subscription


def audience_of(subscription: Any, group: Group) -> None:
    subscription.receiver_groups.set([group])
    refresh_index()


def request_path(settings: Settings, inbox: Any, groups: dict[int, Group], audience: int, baseline: int) -> Result:
    """The save and what runs in the request after its COMMIT, against a one-recipient save."""

    def big_save() -> None:
        with transaction.atomic():
            Post.objects.create(title="To everyone")

    def one_recipient_save() -> None:
        with transaction.atomic():
            Idle.objects.create(name="To one")

    audience_of(inbox, groups[audience])
    engine_s, reference_s, rounds = compare(
        big_save, one_recipient_save, rounds=settings.pick(5, 2), budget=settings.pick(60, 10)
    )
    engine_q = count_queries(big_save)
    reference_q = count_queries(one_recipient_save)
    audience_of(inbox, groups[baseline])
    baseline_s = median_time(big_save, rounds=settings.pick(3, 2), budget=settings.pick(30, 5))
    audience_of(inbox, groups[audience])
    forget_fan_outs()  # the timed saves' later chunks are not the workers' to write
    result = Result(
        NAME,
        f"request path, {audience:,} recipients (the request writes the event and enqueues its fan-out)",
        f"ratio ≤ {REQUEST_RATIO} (S2's save, same backend)",
        engine_s,
        reference_s,
        "a save inside transaction.atomic() whose audience is one user (S2), same backend",
        engine_q,
        reference_q,
    )
    result.met = (result.ratio or 0.0) <= REQUEST_RATIO
    result.notes = f"{baseline:,} recipients: {baseline_s * 1e3:.1f} ms"
    result.extra = {"rounds": rounds, "recipients": audience, "request_s_at_baseline": baseline_s, "baseline": baseline}
    return result


def forget_fan_outs() -> None:
    """Drop the events, rows and queued tasks written so far (fast, whatever their number)."""
    from django_tasks_db.models import DBTaskResult

    from django_signal_notifier.models import Delivery, Event, Notification

    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in (Notification, Delivery, Event, DBTaskResult)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def fan_out(
    subscription: Any,
    group: Group,
    size: int,
    workers: int,
    chunk: int | None,
    deadline: float,
    email: bool = False,
) -> dict[str, Any]:
    """One save to ``group`` while ``workers`` worker processes run the queue; timings and memory."""
    from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification

    audience_of(subscription, group)
    forget_fan_outs()
    with worker_processes(workers, chunk) as pool:
        started = time.perf_counter()
        with transaction.atomic():
            Post.objects.create(title="To the group")
        request_s = time.perf_counter() - started
        event = Event.objects.latest("pk")
        rows = Delivery.objects.filter(event=event) if email else Notification.objects.filter(event=event)
        in_request = rows.count()
        finished = Event.objects.filter(pk=event.pk, fanout_done=True)
        wait_for(finished.exists, pool, started, deadline, "fan-out")
        fanned_out_s = time.perf_counter() - started
        sent_s = None
        if email:
            unsent = Delivery.objects.filter(event=event).exclude(status=DeliveryStatus.SENT)
            wait_for(lambda: not unsent.exists(), pool, started, deadline, "sending")
            sent_s = time.perf_counter() - started
    written = rows.count()
    if written != size:
        raise AssertionError(f"S7: {written} rows written for {size} recipients")
    return {
        **task_spread(),
        "recipients": size,
        "workers": workers,
        "email": email,
        "request_s": request_s,
        "rows_in_request": in_request,
        "fan_out_s": fanned_out_s,
        "sent_s": sent_s,
        "worker_rows_per_s": (size - in_request) / max(fanned_out_s - request_s, 1e-9),
        "rows_per_s": size / fanned_out_s,
        "sent_per_s": size / sent_s if sent_s else None,
        "peak_rss_mib": [report["max_rss_kib"] / 1024 for report in pool.reports],
        "worker_cpu_s": [report["cpu_seconds"] for report in pool.reports],
    }


class Pool:
    """Running worker processes; ``reports`` holds what each said once stopped."""

    def __init__(self, processes: list[subprocess.Popen[str]]) -> None:
        self.processes = processes
        self.reports: list[dict[str, Any]] = []

    def alive(self) -> bool:
        return all(process.poll() is None for process in self.processes)


def task_spread() -> dict[str, Any]:
    """How the event's tasks spread over the workers: tasks per worker and most at once, per kind."""
    from django_tasks_db.models import DBTaskResult

    tasks = list(DBTaskResult.objects.values_list("task_path", "status", "worker_ids", "started_at", "finished_at"))
    failed = [path for path, status, *_ in tasks if status != "SUCCESSFUL"]
    if failed:
        raise AssertionError(f"S7: {len(failed)} tasks did not succeed ({sorted(set(failed))})")
    spread: dict[str, Any] = {}
    for kind in ("fan_out_chunk", "deliver"):
        runs = [(workers[-1], start, end) for path, _, workers, start, end in tasks if path.endswith(f".{kind}")]
        per_worker: dict[str, int] = {}
        for worker, _, _ in runs:
            per_worker[worker] = per_worker.get(worker, 0) + 1
        # Most tasks of this kind running at the same moment: a sweep over starts and ends.
        moments = sorted([(end, -1) for _, _, end in runs] + [(start, 1) for _, start, _ in runs])
        running = most = 0
        for _, change in moments:
            running += change
            most = max(most, running)
        spread[f"{kind}_tasks_per_worker"] = sorted(per_worker.values(), reverse=True)
        spread[f"{kind}_tasks_at_once"] = most
    return spread


def wait_for(done: Callable[[], bool], pool: Pool, started: float, deadline: float, what: str) -> None:
    while not done():
        if not pool.alive():
            raise RuntimeError(f"S7: a worker exited during the {what}")
        if time.perf_counter() - started > deadline:
            raise TimeoutError(f"S7: the {what} did not finish within {deadline:.0f} s")
        time.sleep(0.05)


@contextmanager
def worker_processes(count: int, chunk: int | None) -> Iterator[Pool]:
    """``count`` django-tasks-db workers, ready when this enters; their reports once it exits."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "DSN_BENCH_TASK_BACKEND": BACKEND,
        "DSN_BENCH_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    if chunk:
        env["DSN_BENCH_FANOUT_CHUNK_SIZE"] = str(chunk)
    logs = [tempfile.TemporaryFile(mode="w+") for _ in range(count)]  # noqa: SIM115 - closed below
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", "--tasks", BACKEND],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        for log in logs
    ]
    pool = Pool(workers)
    try:
        for worker, log in zip(workers, logs, strict=True):
            assert worker.stdout is not None
            line = worker.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"S7 worker {worker.pid} did not start (said {line!r}): {_tail(log)}")
        yield pool
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker, log in zip(workers, logs, strict=True):
            out, _ = worker.communicate(timeout=120)
            lines = out.strip().splitlines()
            if not lines:
                raise RuntimeError(f"S7 worker {worker.pid} reported nothing: {_tail(log)}")
            pool.reports.append(json.loads(lines[-1]))
    except Exception as error:
        raise RuntimeError(f"{error}; the workers' logs: {' | '.join(_tail(log) for log in logs)}") from error
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        for log in logs:
            log.close()


def _tail(log: IO[str]) -> str:
    log.seek(0)
    return log.read()[-2000:]


def fan_out_result(
    measured: dict[str, Any], memory_base: dict[str, Any], chunk_size: int, baseline: bool = False
) -> Result:
    """A fan-out's line; ``baseline``: the run whose worker memory the others are compared with."""
    size, workers = measured["recipients"], measured["workers"]
    channel = "e-mail" if measured["email"] else "in-site"
    base_peak = max(memory_base["peak_rss_mib"])
    peaks = measured["peak_rss_mib"]
    memory_ratio = max(peaks) / base_peak
    cpu = sum(measured["worker_cpu_s"])
    result = Result(
        NAME,
        f"fan-out, {size:,} {channel} recipients, {workers} worker(s)",
        f"peak memory per worker ≤ {MEMORY_RATIO}× its peak at {memory_base['recipients']:,}",
        measured["fan_out_s"] / size,
    )
    result.met = None if baseline else memory_ratio <= MEMORY_RATIO
    if baseline:
        result.target = "— (the memory baseline)"
    peaks_text = " / ".join(f"{peak:.0f}" for peak in peaks)
    result.notes = (
        f"{measured['rows_per_s']:,.0f} rows/s from the save ({measured['worker_rows_per_s']:,.0f}/s by the workers), "
        f"{size / cpu:,.0f} per worker CPU-second; peak RSS {peaks_text} MiB ({memory_ratio:.2f}×)"
    )
    if measured["sent_per_s"]:
        result.notes += f"; {measured['sent_per_s']:,.0f} e-mails sent/s from the save"
    chunks = "/".join(str(n) for n in measured["fan_out_chunk_tasks_per_worker"])
    result.notes += f"; chunk tasks per worker {chunks}, at most {measured['fan_out_chunk_tasks_at_once']} at once"
    if measured["deliver_tasks_per_worker"]:
        sends = "/".join(str(n) for n in measured["deliver_tasks_per_worker"])
        result.notes += f"; deliver tasks per worker {sends}, at most {measured['deliver_tasks_at_once']} at once"
    result.extra = {
        **measured,
        "chunk_size": chunk_size,
        "memory_ratio": memory_ratio,
        "rows_per_worker_cpu_s": size / cpu,
    }
    return result
