"""A run on a database server (DSN_TEST_DB=postgres or mariadb) that cannot reach it is skipped as
a whole, loudly; under DSN_REQUIRE_SERVICES=1 (.ci/run) it fails instead."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.own_database  # the runs it starts are the point


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("database", "port_variable", "name"),
    [("postgres", "DSN_PG_PORT", "PostgreSQL"), ("mariadb", "DSN_MARIADB_PORT", "MariaDB")],
)
@pytest.mark.parametrize("required", [False, True], ids=["locally", "in-ci"])
def test_a_run_on_an_unreachable_database_server_is_skipped_loudly_or_fails(
    database: str, port_variable: str, name: str, required: bool
) -> None:
    if database == "mariadb" and importlib.util.find_spec("MySQLdb") is None:
        pytest.skip("SKIPPED LOUDLY: mysqlclient is not installed (make mariadb-setup installs it)")
    env = {
        **os.environ,
        "DSN_TEST_DB": database,
        port_variable: str(closed_port()),
        "DSN_REQUIRE_SERVICES": "1" if required else "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/models/test_portable_integrity.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert f"{name} is not reachable at 127.0.0.1:{env[port_variable]}" in output, output
    assert " passed" not in output and " failed" not in output
    if required:
        assert result.returncode == 1 and "DSN_REQUIRE_SERVICES=1" in output, output
    else:
        assert result.returncode == 0 and "SKIPPED LOUDLY" in output and " skipped" in output, output
