"""A writer process: saves Articles (each one an event) for a number of seconds, one transaction each.

``python -m tests.integration.reliability.writer SECONDS [MAX_EVENTS]`` prints ``{"events": n}``: the articles it
committed (it stops at MAX_EVENTS when given).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    import django

    django.setup()
    from django.db import transaction

    from tests.testapp.models import Article

    seconds = float(sys.argv[1])
    deadline = time.monotonic() + seconds
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    committed = 0
    n = 0
    while time.monotonic() < deadline and (limit is None or committed < limit):
        n += 1
        with transaction.atomic():
            Article.objects.create(title=f"load {os.getpid()}-{n}")
        committed += 1
    print(json.dumps({"pid": os.getpid(), "events": committed}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
