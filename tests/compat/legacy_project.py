"""A 0.2.1 user's project, pointed at this package: its database loaded from the fixtures, manage.py run for real.

The fixtures (``fixtures/dsn_0_2_1.*.sql``) were written by ``fixtures/make_0_2_1_database.py``
with django-signal-notifier 0.2.1 on Django 3.0. The project keeps 0.2.1's INSTALLED_APPS, adds
the quickstart app (0.2.1's demo models now live there) and nothing else.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]

SETTINGS = """
SECRET_KEY = "upgraded-from-0.2.1"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",%(quickstart)s
    "django_signal_notifier",
]
DATABASES = {"default": %(database)r}
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "legacyurls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SIGNAL_NOTIFIER = %(signal_notifier)r
"""

URLS = """
from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
"""

# Every table of the package (and its quickstart) as introspection sees it: columns with their
# type and nullability, constraints without their names.
DESCRIBE = """
import json
from django.db import connection

described = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        if not table.startswith(("django_signal_notifier_", "signal_notifier_quickstart_")):
            continue
        columns = {
            column.name: [connection.introspection.get_field_type(column.type_code, column), column.null_ok]
            for column in connection.introspection.get_table_description(cursor, table)
        }
        constraints = sorted(
            json.dumps([sorted(c["columns"]), c["primary_key"], c["unique"], c["foreign_key"], c["index"], c["check"]])
            for c in connection.introspection.get_constraints(cursor, table).values()
        )
        described[table] = {"columns": columns, "constraints": constraints}
print("JSON:" + json.dumps(described, sort_keys=True))
"""


class LegacyProject:
    """A project directory with settings for SQLite or PostgreSQL, and ``manage.py`` as a subprocess."""

    def __init__(
        self, folder: Path, vendor: str, signal_notifier: dict[str, Any] | None = None, quickstart: bool = True
    ) -> None:
        self.folder = folder
        self.vendor = vendor
        folder.mkdir(parents=True, exist_ok=True)
        if vendor == "postgresql":
            self.pg_name = f"dsn_upgrade_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            database = {"ENGINE": "django.db.backends.postgresql", "NAME": self.pg_name, "USER": "postgres"}
            database["HOST"] = "127.0.0.1"
            subprocess.run([*PSQL, "-c", f"CREATE DATABASE {self.pg_name}"], check=True, timeout=60)
        else:
            database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "db.sqlite3")}
        settings = SETTINGS % {
            "database": database,
            "signal_notifier": signal_notifier or {},
            "quickstart": '\n    "django_signal_notifier.quickstart",' if quickstart else "",
        }
        (folder / "legacysettings.py").write_text(settings)
        (folder / "legacyurls.py").write_text(URLS)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "legacysettings",
            "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
        }

    def load_0_2_1(self) -> None:
        """The database of a 0.2.1 project: 0.2.1's migrations 0001-0005 applied, its rows written."""
        if self.vendor == "postgresql":
            dump = FIXTURES / "dsn_0_2_1.postgresql.sql"
            subprocess.run([*PSQL, "-d", self.pg_name, "-f", str(dump)], check=True, capture_output=True, timeout=60)
        else:
            with sqlite3.connect(self.folder / "db.sqlite3") as connection:
                connection.executescript((FIXTURES / "dsn_0_2_1.sqlite.sql").read_text())

    def manage(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=self.folder,
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=180,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        """Run ``manage.py`` and return its output; fail the test on a non-zero exit."""
        result = self.manage(*args, stdin=stdin)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout + result.stderr

    def python(self, code: str) -> Any:
        """Run ``code`` in ``manage.py shell``; it prints ``JSON:<value>`` and that value is returned."""
        out = self.ok("shell", stdin=code)
        lines = [line for line in out.splitlines() if line.startswith("JSON:")]
        assert lines, out
        return json.loads(lines[-1][len("JSON:") :])

    def describe(self) -> Any:
        return self.python(DESCRIBE)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            subprocess.run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)"], timeout=60)
