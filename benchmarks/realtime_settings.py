"""Settings of the realtime benchmark (``python -m benchmarks.realtime``): the benchmarks' settings
on PostgreSQL (database ``dsn_bench_realtime``), with sessions and the inbox's URLs, for uvicorn."""

from __future__ import annotations

import os

from benchmarks.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.sessions"]  # noqa: F405
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "benchmarks.realtime_urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DSN_BENCH_REALTIME_PG_NAME", "dsn_bench_realtime"),
        "USER": os.environ.get("DSN_PG_USER", "postgres"),
        "HOST": os.environ.get("DSN_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("DSN_PG_PORT", "5432"),
    }
}
SIGNAL_NOTIFIER = {
    **SIGNAL_NOTIFIER,  # noqa: F405
    "REALTIME_BROKER": "postgres",
    "REALTIME_HEARTBEAT": 15.0,
}
