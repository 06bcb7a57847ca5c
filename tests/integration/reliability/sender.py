"""A sending process: saves one Article inside ``transaction.atomic()`` and meets a fault after COMMIT.

``python -m tests.integration.reliability.sender FAULT`` where FAULT is one of:

* ``none``: nothing goes wrong;
* ``kill-after-commit``: an application ``on_commit`` hook registered before the save SIGKILLs the
  process, so it dies right after COMMIT, before the fan-out;
* ``drop-after-commit``: such a hook terminates the process's database connection (from another
  connection), so the fan-out after COMMIT meets a dead connection;
* ``raising-hook``: such a hook raises, so Django skips every hook after it (the fan-out too).

It prints ``{"returned": true, ...}`` when the save returned to its caller.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def main() -> int:
    import django

    django.setup()
    import psycopg
    from django.db import connection, transaction

    from tests.testapp.models import Article

    fault = sys.argv[1]

    def kill_after_commit() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def drop_after_commit() -> None:
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        with psycopg.connect(dbname=params["dbname"], user=params.get("user"), host=params.get("host")) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])

    def raising_hook() -> None:
        raise ValueError("an application hook that raises")

    hooks = {
        "kill-after-commit": kill_after_commit,
        "drop-after-commit": drop_after_commit,
        "raising-hook": raising_hook,
    }
    error = ""
    try:
        with transaction.atomic():
            if fault in hooks:
                transaction.on_commit(hooks[fault])
            Article.objects.create(title=f"sent by {os.getpid()}")
    except ValueError as raised:  # the application's own hook; the article is committed
        error = str(raised)
    print(json.dumps({"pid": os.getpid(), "returned": True, "error": error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
