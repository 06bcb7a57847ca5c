"""``signal_notifier redrive``: the sweeper, now (for cron or a periodic task).

It first resumes the fan-outs a dead process left unfinished (events untouched for
``FANOUT_RESUME_AFTER`` seconds), then sends every due delivery.

Due means pending or failed with its next attempt time reached, or claimed by a worker whose
lease (``CLAIM_TIMEOUT``) expired. Exits 1 when any delivery failed or died in this run.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.delivery.tasks import sweep

help = "Send due pending/failed deliveries and those abandoned by a dead worker; print what happened."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=None, help="Send at most this many deliveries.")
    parser.add_argument("--json", action="store_true", help="Print the counts as one JSON object.")


def handle(command: Any, options: dict[str, Any]) -> int:
    limit = options.get("limit")
    if limit is not None and limit < 1:
        command.stderr.write("--limit must be a positive number of deliveries.")
        return 2
    counts = {status: 0 for status in ("sent", "failed", "dead", "skipped", "lost_claim")}
    sweep()  # unfinished fan-outs first: their deliveries are then due too
    counts.update(deliver_due(limit=limit))
    if options.get("json"):
        command.stdout.write(json.dumps(counts, sort_keys=True))
    else:
        total = sum(counts.values())
        detail = ", ".join(f"{count} {status}" for status, count in counts.items())
        command.stdout.write(f"Redrove {total} deliveries: {detail}.")
    return 1 if counts["failed"] or counts["dead"] else 0
