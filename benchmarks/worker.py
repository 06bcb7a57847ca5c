"""An S6 worker process: sends due deliveries with the package's outbox until none is left.

Protocol with the parent: print ``ready`` once Django is set up, wait for a line on stdin (the
start signal), run ``deliver_due`` loops, then print one JSON line with the counts.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
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


if __name__ == "__main__":
    sys.exit(main())
