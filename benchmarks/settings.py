"""Django settings of the benchmarks: DSN_BENCH_DB=sqlite (a file) or postgres (database dsn_bench)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BASE_DIR / "results"

SECRET_KEY = "benchmarks-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "benchmarks.benchapp",
    "django_signal_notifier",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {},
    }
]

DB = os.environ.get("DSN_BENCH_DB", "sqlite")
if DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DSN_BENCH_PG_NAME", "dsn_bench"),
            "USER": os.environ.get("DSN_PG_USER", "postgres"),
            "HOST": os.environ.get("DSN_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DSN_PG_PORT", "5432"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DSN_BENCH_SQLITE_NAME", str(RESULTS_DIR / "bench.sqlite3")),
            # WAL with synchronous=NORMAL, as production SQLite sites run: a commit does not wait
            # for an fsync, so the figures measure the engine rather than this machine's disk.
            "OPTIONS": {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    }

try:  # Django >= 6.0
    import django.tasks  # noqa: F401

    _TASKS = "django.tasks.backends"
except ImportError:
    _TASKS = "django_tasks.backends"

TASKS = {
    # The package's default: a save() delivers at once (S4).
    "default": {"BACKEND": f"{_TASKS}.immediate.ImmediateBackend"},
    # Keeps enqueued deliveries pending so that S6's worker processes send them.
    "hold": {"BACKEND": f"{_TASKS}.dummy.DummyBackend"},
}
if importlib.util.find_spec("django_tasks_db") is not None:
    # A queueing backend with real worker processes (S7: `db_worker` through benchmarks.worker).
    INSTALLED_APPS.append("django_tasks_db")
    TASKS["queue"] = {"BACKEND": "django_tasks_db.DatabaseBackend"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# S4 points this at its aiosmtpd server on loopback; S7's workers use the console backend
# (DSN_BENCH_EMAIL_BACKEND), their standard output going to /dev/null.
EMAIL_BACKEND = os.environ.get("DSN_BENCH_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = 2525
DEFAULT_FROM_EMAIL = "bench@example.com"

SIGNAL_NOTIFIER = {
    "MESSENGERS": ["benchmarks.messengers.NullMessenger"],
    "MESSAGE_TEMPLATES": ["benchmarks.messengers.ReferenceEmailTemplate"],
    # 0 (the default) records every sent delivery at once; S6 can be re-run with a window to
    # measure the throughput that buys (DSN_BENCH_SENT_FLUSH_SECONDS=1 make bench).
    "SENT_FLUSH_SECONDS": float(os.environ.get("DSN_BENCH_SENT_FLUSH_SECONDS", "0")),
    # S7's worker processes run with the queueing backend (the parent overrides it for its saves).
    "TASK_BACKEND": os.environ.get("DSN_BENCH_TASK_BACKEND", "default"),
    "FANOUT_CHUNK_SIZE": int(os.environ.get("DSN_BENCH_FANOUT_CHUNK_SIZE", "1000")),
    # S1–S7 measure the pipeline without the realtime inbox, whose cost in the writer (one
    # pg_notify per insert batch, after its commit) and latency `python -m benchmarks.realtime`
    # measures (its settings turn it on).
    "REALTIME_BROKER": None,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # S6 workers would otherwise log one line per delivery.
    "loggers": {"django_signal_notifier": {"level": "WARNING"}},
}
