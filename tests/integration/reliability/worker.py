"""A delivery worker process: claims and sends due deliveries until told to stop and none is left.

``python -m tests.integration.reliability.worker`` with ``DJANGO_SETTINGS_MODULE=tests.integration.reliability.proc_settings``;
it runs the unfinished fan-outs (the chunk tasks a queueing backend's worker runs) and sends due
deliveries; it stops when the file named by ``DSN_REL_STOP`` exists, every fan-out is done and no
delivery is pending, failed or being sent. A database error ends the batch, not the worker: it reconnects and goes on.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path


def main() -> int:
    import django

    django.setup()
    from django.db import DatabaseError, close_old_connections, connection

    from django_signal_notifier.delivery.outbox import deliver_due
    from django_signal_notifier.fanout.chain import resume_unfinished
    from django_signal_notifier.models import Delivery, DeliveryStatus, Event

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    stop = Path(os.environ["DSN_REL_STOP"])
    deadline = time.monotonic() + float(os.environ.get("DSN_REL_WORKER_MAX_SECONDS", "600"))
    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]
    totals: Counter[str] = Counter()
    errors = 0
    while time.monotonic() < deadline:
        try:
            # The fan-out tasks a worker of a queueing backend runs (the processes' task backend only records them).
            resume_unfinished(older_than=0)
            counts = deliver_due()
            totals.update(counts)
            if counts:
                continue
            unfinished = Event.objects.filter(fanout_done=False).exists()
            if stop.exists() and not unfinished and not Delivery.objects.filter(status__in=open_statuses).exists():
                break
        except DatabaseError as error:
            errors += 1
            print(f"worker {os.getpid()}: database error: {error}", file=sys.stderr, flush=True)
            connection.close()
        close_old_connections()
        time.sleep(0.05)  # idle poll interval of the worker loop
    print(json.dumps({"pid": os.getpid(), "counts": dict(totals), "database_errors": errors}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
