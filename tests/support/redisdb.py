"""The Redis database of this test run's brokers (Celery, RQ), one per test database name.

Two runs at once on one machine (e.g. the SQLite and PostgreSQL suites of two checkouts) then
never flush or consume each other's messages.
"""

from __future__ import annotations

import os
import zlib


def run_redis_url() -> str:
    """``redis://127.0.0.1:6379/<n>``, ``n`` in 5..14 derived from ``DSN_PG_TEST_NAME``."""
    name = os.environ.get("DSN_PG_TEST_NAME", "test_django_signal_notifier")
    return f"redis://127.0.0.1:6379/{5 + zlib.crc32(name.encode()) % 10}"
