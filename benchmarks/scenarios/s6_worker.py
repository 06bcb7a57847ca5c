"""S6: N deliveries sent by real worker processes through the package's outbox.

The deliveries are written by a real fan-out (one event to N users on the benchmarks'
``NullMessenger``, which sends nothing) with the task backend set to a dummy one, so they stay
pending. Then worker processes (``python -m benchmarks.worker``: ``deliver_due`` loops, what
``redrive`` does) claim and send them concurrently; the clock runs from the start signal until
every worker is done. Two workers on PostgreSQL; one on SQLite, which has a single writer.
The workers' CPU time is reported too: deliveries per worker CPU-second does not depend on how
busy the machine is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings

from benchmarks.benchapp.models import Post
from benchmarks.harness import Result, Settings, make_users, notify_on_post, refresh_index

NAME = "S6"
TITLE = "deliveries through real worker processes"
TARGET = "≥ 2,000 deliveries/s"
GOAL = 2000.0
ROOT = Path(__file__).resolve().parents[2]


def write_deliveries(size: int) -> None:
    from django.conf import settings

    from django_signal_notifier.fanout.chain import resume_unfinished

    users = make_users(size, "s6_")
    group = Group.objects.create(name="s6-all")
    group.user_set.set(users)
    notify_on_post("NullMessenger", groups=[group])
    namespace = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "hold"}
    with override_settings(SIGNAL_NOTIFIER=namespace):
        refresh_index()
        with transaction.atomic():
            Post.objects.create(title="To everyone")
        # The fan-out task went to the holding backend too: write its chunks here.
        while resume_unfinished(older_than=0):
            pass
    refresh_index()


def start_workers(count: int) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for worker in workers:
        assert worker.stdout is not None
        line = worker.stdout.readline().strip()
        if line != "ready":
            for other in workers:
                other.kill()
            raise RuntimeError(f"S6 worker {worker.pid} did not start (said {line!r})")
    return workers


def run(settings: Settings) -> list[Result]:
    from django.db import connection

    from django_signal_notifier.models import Delivery, DeliveryStatus

    size = settings.pick(10_000, 300)
    worker_count = 2 if connection.vendor == "postgresql" else 1
    write_deliveries(size)
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    if pending != size:
        raise AssertionError(f"S6 expected {size} pending deliveries, found {pending}")
    connection.close()  # SQLite: leave the file to the workers
    workers = start_workers(worker_count)
    start = time.perf_counter()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    reports = []
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        reports.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - start
    sent = Delivery.objects.filter(status=DeliveryStatus.SENT).count()
    if sent != size:
        raise AssertionError(f"S6: {sent} of {size} deliveries were sent")
    rate = size / elapsed
    queries = sum(report["queries"] for report in reports)
    result = Result(NAME, f"{size:,} deliveries, {worker_count} worker(s)", TARGET, elapsed / size)
    result.met = rate >= GOAL
    cpu = sum(report["cpu_seconds"] for report in reports)
    result.notes = f"{rate:,.0f} deliveries/s; {size / cpu:,.0f} per worker CPU-second"
    result.extra = {
        "deliveries": size,
        "workers": worker_count,
        "seconds": elapsed,
        "deliveries_per_second": rate,
        "worker_cpu_seconds": cpu,
        "deliveries_per_worker_cpu_second": size / cpu,
        "load_average_1m": os.getloadavg()[0],
        "queries_per_delivery_all": queries / size,
        "per_worker": [report["counts"] for report in reports],
    }
    return [result]
