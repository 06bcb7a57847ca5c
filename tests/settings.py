"""Test settings: SQLite by default; DSN_TEST_DB=postgres or DSN_TEST_DB=mariadb runs the suite there."""

import importlib.util
import os
import sys
from pathlib import Path

from tests.support.redisdb import run_redis_url

BASE_DIR = Path(__file__).resolve().parent
# The demo project (demo/blog, demo/demo/urls.py) is importable wherever these settings are loaded
# (pytest, mypy's Django plugin), for the tests of the demo site.
sys.path.append(str(BASE_DIR.parent / "demo"))
SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",  # the database task backend's tables (tests/integration/test_workers.py)
    "tests.testapp",
    # The demo's blog (demo/blog), for the browser tests of the demo site.
    "blog",
    "django_signal_notifier.quickstart",
    "django_signal_notifier",
]
# django-push-notifications' device tables, for the mobile push channel (the `mobilepush` extra).
if importlib.util.find_spec("push_notifications") is not None:
    INSTALLED_APPS.append("push_notifications")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_signal_notifier.events.actor.ActorMiddleware",
]

ROOT_URLCONF = "tests.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"

_db = os.environ.get("DSN_TEST_DB", "sqlite")
if _db == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DSN_PG_NAME", "test"),
            "USER": os.environ.get("DSN_PG_USER", "postgres"),
            "HOST": os.environ.get("DSN_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DSN_PG_PORT", "5432"),
            "TEST": {"NAME": os.environ.get("DSN_PG_TEST_NAME", "test_django_signal_notifier")},
        }
    }
elif _db == "mariadb":
    # MariaDB (or MySQL 8) through Django's MySQL backend and mysqlclient.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("DSN_MARIADB_NAME", "test"),
            "USER": os.environ.get("DSN_MARIADB_USER", "root"),
            "PASSWORD": os.environ.get("DSN_MARIADB_PASSWORD", ""),
            "HOST": os.environ.get("DSN_MARIADB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DSN_MARIADB_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {
                "NAME": os.environ.get("DSN_MARIADB_TEST_NAME", "test_django_signal_notifier"),
                "CHARSET": "utf8mb4",
                "COLLATION": "utf8mb4_unicode_ci",
            },
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DSN_SQLITE_NAME", str(BASE_DIR / "test.sqlite3")),
            "TEST": {"NAME": os.environ.get("DSN_SQLITE_TEST_NAME") or None},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIGNAL_NOTIFIER = {"CONFIG_CHECK_INTERVAL": 0.2}

# django-rq reads its queues when first imported: the RQ worker tests' broker (tests/support/redisdb.py).
RQ_QUEUES = {"default": {"URL": os.environ.get("DSN_RQ_URL") or run_redis_url()}}
