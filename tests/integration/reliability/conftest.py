"""Fixtures of the reliability suite: real writer and worker processes against a shared database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.messengers.conftest import (  # noqa: F401  (fixtures shared with the channel tests)
    api_server,
    free_port,
    httpserver_listen_address,
    make_user,
    publish,
    subscribe,
)

ROOT = Path(__file__).resolve().parents[3]


def wait_until(predicate: Callable[[], Any], timeout: float, message: str, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


@pytest.fixture
def pg_only() -> None:
    """These tests share the database with other processes: PostgreSQL (the suite's PG run)."""
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (DSN_TEST_DB=postgres): worker processes share a server database")


@dataclass
class Processes:
    """Writer and worker processes on the test database; every one is stopped at the end."""

    tmp: Path
    env: dict[str, str]
    procs: list[subprocess.Popen[str]] = field(default_factory=list)
    leaders: list[subprocess.Popen[str]] = field(default_factory=list)  # each in a session of its own

    @property
    def stop_file(self) -> Path:
        return self.tmp / "stop"

    def hook(self, name: str) -> Path:
        return self.tmp / name

    def start(self, module: str, *args: str, **env: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", f"tests.integration.reliability.{module}", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def start_manage(self, args: list[str], **env: str) -> subprocess.Popen[str]:
        """``python -m django ARGS`` with the processes' settings (a db_worker, the sweeper)."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "django", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def start_logged(self, args: list[str], log: str, **env: str) -> subprocess.Popen[str]:
        """``python ARGS`` (a real worker: db_worker, celery) with its output in a file: a long run never fills a pipe."""
        with (self.tmp / log).open("w") as output:
            proc = subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        self.procs.append(proc)
        self.leaders.append(proc)
        return proc

    def log(self, name: str) -> str:
        """The tail of a logged process's output, for a failure message."""
        path = self.tmp / name
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def writer(self, seconds: float, max_events: int | None = None) -> subprocess.Popen[str]:
        return self.start("writer", str(seconds), *([str(max_events)] if max_events else []))

    def worker(self, **env: str) -> subprocess.Popen[str]:
        return self.start("worker", **env)

    def result(self, proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
        """The JSON line a process printed on exit (fails with its stderr if it crashed)."""
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"process {proc.pid} did not finish in {timeout}s; stderr:\n{err[-3000:]}")
        if proc.returncode != 0:
            pytest.fail(f"process {proc.pid} exited with {proc.returncode}; stderr:\n{err[-3000:]}")
        return dict(json.loads(out.strip().splitlines()[-1]))

    def kill(self, proc: subprocess.Popen[str]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def close(self) -> None:
        for proc in self.leaders:  # what a real worker forked (a Celery worker's children), in its session
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture
def processes(pg_only: None, transactional_db: Any, tmp_path: Path) -> Iterator[Processes]:
    """Start writer/worker processes connected to this test's database (tables committed)."""
    from tests.support.recording import create_tables, drop_tables

    create_tables()
    settings_dict = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.reliability.proc_settings",
        "DSN_TEST_DB": "postgres",
        "DSN_PG_NAME": str(settings_dict["NAME"]),
        "DSN_PG_USER": str(settings_dict["USER"]),
        "DSN_PG_HOST": str(settings_dict["HOST"]),
        "DSN_PG_PORT": str(settings_dict["PORT"]),
        "DSN_REL_STOP": str(tmp_path / "stop"),
        "DSN_REL_HANG": str(tmp_path / "hang"),
        "DSN_REL_HANGING": str(tmp_path / "hanging"),
        "DSN_REL_FAIL": str(tmp_path / "fail"),
        "DSN_REL_DROP_AFTER_SEND": str(tmp_path / "drop"),
        "PGAPPNAME": "dsn_reliability_proc",
        "PYTHONPATH": str(ROOT),
    }
    procs = Processes(tmp_path, env)
    try:
        yield procs
    finally:
        procs.close()
        drop_tables()
