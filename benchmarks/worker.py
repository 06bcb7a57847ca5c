"""Worker processes of the benchmarks.

``python -m benchmarks.worker`` (S6) sends due deliveries with the package's outbox until none is
left. Protocol with the parent: print ``ready`` once Django is set up, wait for a line on stdin
(the start signal), run ``deliver_due`` loops, then print one JSON line with the counts.

``python -m benchmarks.worker --tasks BACKEND`` (S7) is a django-tasks-db worker (its
``db_worker`` command, as production runs it) on the queue ``default`` of ``BACKEND``: it prints
``ready`` once Django is set up, runs tasks until SIGTERM, then prints one JSON line with its
peak resident memory and the CPU time it spent after start-up. Anything the tasks print (the console e-mail backend) goes
to /dev/null.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    if args[:1] == ["--tasks"] and len(args) == 2:
        return run_tasks(args[1])
    if args:
        print(f"usage: python -m benchmarks.worker [--tasks BACKEND], not {args!r}", file=sys.stderr)
        return 2
    return deliver_until_done()


def deliver_until_done() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django_signal_notifier.delivery.outbox import deliver_due

    connection.ensure_connection()
    print("ready", flush=True)
    if not sys.stdin.readline():
        return 1
    totals: dict[str, int] = {}
    idle_rounds = 0
    cpu_started = time.process_time()
    deadline = time.monotonic() + float(os.environ.get("DSN_BENCH_WORKER_DEADLINE", "300"))
    with CaptureQueriesContext(connection) as captured:
        while idle_rounds < 2 and time.monotonic() < deadline:
            counts = deliver_due(limit=1000)
            if not counts:
                idle_rounds += 1
                continue
            idle_rounds = 0
            for status, number in counts.items():
                totals[status] = totals.get(status, 0) + number
    report = {
        "pid": os.getpid(),
        "counts": totals,
        "queries": len(captured.captured_queries),
        "cpu_seconds": time.process_time() - cpu_started,
    }
    print(json.dumps(report), flush=True)
    return 0


def run_tasks(backend: str) -> int:
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the whole life of the process
    connection.ensure_connection()
    ready = resource.getrusage(resource.RUSAGE_SELF)
    print("ready", file=protocol, flush=True)
    try:
        # As command-line arguments: given as options, the --backend default would be validated too.
        call_command(
            "db_worker", "--backend", backend, "--queue-name", "default", "--interval", "0.05", "--no-startup-delay"
        )
    except SystemExit:  # the worker's answer to SIGTERM once its current task is done
        pass
    except DatabaseError as error:
        # Stopped by SIGTERM, django-tasks' db_worker can meet its connection mid-transaction while
        # it shuts down (seen once on Django 6 + psycopg 3): the run is over and its figures stand.
        print(f"db_worker ended with {error!r}", file=sys.stderr, flush=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "pid": os.getpid(),
        "max_rss_kib": usage.ru_maxrss,  # KiB on Linux
        "cpu_seconds": usage.ru_utime + usage.ru_stime - ready.ru_utime - ready.ru_stime,  # after start-up
    }
    print(json.dumps(report), file=protocol, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
