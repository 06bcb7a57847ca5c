"""``signal_notifier redrive``: the sweeper, now (for cron), or every N seconds (a process of its own).

It first resumes the fan-outs a dead process left unfinished (events untouched for
``FANOUT_RESUME_AFTER`` seconds), then sends every due delivery, and records its heartbeat (which
``check --deploy --database default`` reads).

Due means pending or failed with its next attempt time reached, or claimed by a worker whose
lease (``CLAIM_TIMEOUT``) expired. Exits 1 when any delivery failed or died in this run (in a
single run; ``--every`` runs until SIGTERM or SIGINT, or ``--runs``, and exits 0).
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from collections import Counter
from typing import Any

from django.db import DatabaseError, close_old_connections, connections

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.delivery.tasks import sweep
from django_signal_notifier.management.cli.common import Report, add_output_arguments

help = (
    "Resume unfinished fan-outs and send due pending/failed deliveries and those abandoned by a dead worker; "
    "once, or every N seconds with --every."
)
logger = logging.getLogger("django_signal_notifier.sweeper")
STATUSES = ("sent", "failed", "dead", "skipped", "lost_claim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=None, help="Send at most this many deliveries per run.")
    add_output_arguments(parser)
    parser.add_argument(
        "--every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Run again every SECONDS until stopped (SIGTERM, SIGINT): the sweeper as a long-running process.",
    )
    parser.add_argument("--runs", type=int, default=None, help="With --every: stop after this many runs.")


def handle(command: Any, options: dict[str, Any]) -> int:
    limit, every, runs = options.get("limit"), options.get("every"), options.get("runs")
    if limit is not None and limit < 1:
        command.stderr.write("--limit must be a positive number of deliveries.")
        return 2
    if every is not None and every <= 0:
        command.stderr.write("--every must be a positive number of seconds.")
        return 2
    if runs is not None and (runs < 1 or every is None):
        command.stderr.write("--runs needs --every and a positive number of runs.")
        return 2
    if every is None:
        out = Report(command, options)
        counts = run_once(limit, out)
        report(out, counts)
        return 1 if counts["failed"] or counts["dead"] else 0
    return run_every(command, every, runs, limit, options)


def run_once(limit: int | None, out: Report | None = None) -> Counter[str]:
    counts: Counter[str] = Counter(dict.fromkeys(STATUSES, 0))
    if out is not None:
        out.progress("Resuming unfinished fan-outs…")
    sweep()  # unfinished fan-outs first: their deliveries are then due too

    def shown(totals: Counter[str]) -> None:
        if out is not None:
            out.progress("Redriving: " + ", ".join(f"{totals[s]} {s}" for s in STATUSES if totals[s]))

    counts.update(deliver_due(limit=limit, on_batch=shown))
    return counts


def run_every(command: Any, every: float, runs: int | None, limit: int | None, options: dict[str, Any]) -> int:
    """Sweep every ``every`` seconds; a database error ends one run, not the process (it reconnects)."""
    stopping: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, frame: stopping.append(number)) for sig in _STOP_SIGNALS}
    done = 0
    try:
        while not stopping and (runs is None or done < runs):
            started = time.monotonic()
            close_old_connections()
            out = Report(command, options)
            try:
                counts = run_once(limit, out)
            except DatabaseError:
                logger.exception("django-signal-notifier: a sweep failed on a database error; retrying next run")
                _reconnect()
            else:
                if sum(counts.values()) or out.as_json:
                    report(out, counts)
            done += 1
            while not stopping and (runs is None or done < runs) and time.monotonic() - started < every:
                time.sleep(min(0.2, every))  # short naps: a stop signal is honoured promptly
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _reconnect() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close()


def report(out: Report, counts: Counter[str]) -> None:
    total = sum(counts.values())
    detail = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
    out.summary(f"Redrove {total} deliveries: {detail}.", dict(counts))
