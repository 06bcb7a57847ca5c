"""Worker subprocesses on the test database, for the tests that run real workers.

Each test starts workers as subprocesses on the pytest-django test database (PostgreSQL only:
an in-memory SQLite database cannot be shared), waits with a deadline, and kills them at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.support.redisdb import run_redis_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = run_redis_url()


def celery_worker_args(log_level: str = "INFO") -> list[str]:
    """The arguments of a Celery worker of the package's app on the ``default`` queue, as the tests run it."""
    return [
        *("-m", "celery", "-A", "django_signal_notifier.delivery.backends.celery", "worker", "-Q", "default"),
        *("--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", log_level),
    ]


def wait_until(condition: Callable[[], Any], timeout: float = 60.0, what: str | Callable[[], str] = "it") -> Any:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds (``what`` says what failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what() if callable(what) else what}")


class Workers:
    """Starts worker subprocesses on the test database and kills whatever is left at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.settings_worker",
            "DSN_TEST_DB": "postgres",
            "DSN_PG_NAME": str(connection.settings_dict["NAME"]),
            "DSN_CELERY_BROKER": REDIS_URL,
        }

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("wb")
        # A session of its own: teardown kills the worker's children too (an RQ worker's scheduler
        # is a forked child that would otherwise outlive it, holding the dead worker's blocked
        # dequeue on the broker and swallowing the next run's first job).
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def manage(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        return self.start("-m", "django", *args, **env)

    def output(self, process: subprocess.Popen[bytes]) -> str:
        return (self.tmp_path / f"worker-{self.processes.index(process)}.log").read_text(errors="replace")

    def outputs(self) -> str:
        """Every worker's log, for a failure message."""
        return "\n".join(f"--- worker {p.pid}:\n{self.output(p)[-3000:]}" for p in self.processes)

    def finish(self, process: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"worker did not finish in {timeout}s:\n{self.output(process)}")

    def close(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the worker and whatever it forked
            except ProcessLookupError:
                pass
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def postgres_workers(tmp_path: Path) -> Workers:
    """A pool of workers, or a skip (with its reason) when the test database cannot be shared."""
    from tests.conftest import require_service

    require_service("PostgreSQL", "127.0.0.1", 5432)
    if connection.vendor != "postgresql":
        pytest.skip(
            "worker processes need a database they can share: these tests run in the PostgreSQL "
            "run (DSN_TEST_DB=postgres), as `make test` and .ci/run do"
        )
    return Workers(tmp_path)
