"""Shared fixtures. Service-backed tests skip loudly without their service, and fail in CI."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

# The users' `notifications` fixture, loaded as a project that installs the package would (opt-in).
pytest_plugins = ["django_signal_notifier.testing.pytest_plugin"]

REQUIRE_SERVICES = os.environ.get("DSN_REQUIRE_SERVICES") == "1"


def service_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or, with DSN_REQUIRE_SERVICES=1 as in .ci/run, fail) when a service is down."""
    if service_reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and DSN_REQUIRE_SERVICES=1: service-backed tests are required here.")
    pytest.skip(f"SKIPPED LOUDLY: {message}; start it to run this test.")


# Fixtures that need a service of this machine (PostgreSQL, Redis, or worker processes sharing the
# PostgreSQL test database). A test that requests one, directly or through another fixture, gets the
# ``services`` marker, so ``-m services`` selects exactly the service-backed tests. (The SMTP tests'
# server is aiosmtpd, started in-process by the ``smtp_server`` fixture: no service is needed.)
SERVICE_FIXTURES = frozenset({"postgres", "redis_url", "pg_only", "processes", "workers", "own_redis"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.services)
    unavailable = database_server_unavailable()
    if unavailable:
        if REQUIRE_SERVICES:
            pytest.exit(f"{unavailable} and DSN_REQUIRE_SERVICES=1: this run needs it.", returncode=1)
        for item in items:
            item.add_marker(pytest.mark.skip(reason=f"SKIPPED LOUDLY: {unavailable}; this run needs it."))


# The database servers a run can be on (DSN_TEST_DB, tests/settings.py). A missing driver stops
# Django's setup before this file is read (`make test-mariadb` checks for mysqlclient first).
DATABASE_SERVERS = {"postgresql": "PostgreSQL", "mysql": "MariaDB"}


def database_server_unavailable() -> str | None:
    """Why the run's database server cannot be used (None: it can, or the run is on SQLite)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = DATABASE_SERVERS.get(database["ENGINE"].rsplit(".", 1)[-1])
    if name is None:
        return None
    host, port = database["HOST"], int(database["PORT"])
    if not service_reachable(host, port):
        return f"{name} is not reachable at {host}:{port} (DSN_TEST_DB={os.environ.get('DSN_TEST_DB')})"
    return None


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", "127.0.0.1", 6379)
    return "redis://127.0.0.1:6379/0"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Iterator[Any]:
    """Run on_commit callbacks (the fan-out) at the end of the block, as a real commit would."""
    yield lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def recorded() -> Iterator[list[Any]]:
    """Messages sent through RecordingMessenger during the test."""
    from tests.support.recording import RecordingMessenger

    RecordingMessenger.sent.clear()
    yield RecordingMessenger.sent
    RecordingMessenger.sent.clear()


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    """Each test starts with an index rebuilt from its own database state."""
    from django_signal_notifier.config.index import trigger_index

    trigger_index.invalidate()
    yield
    trigger_index.invalidate()
