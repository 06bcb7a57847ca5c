"""A real project with the three bad rows of issue 14: migrate, check and sync exit 0 with warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.own_database  # the project runs on an SQLite file of its own

SETTINGS = """
SECRET_KEY = "bad-rows"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages",
    "django_signal_notifier",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": %(db)r}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "badrowsurls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

BAD_ROWS = """
from django.contrib.contenttypes.models import ContentType
from django_signal_notifier.models import Backend, Subscription, Trigger
gone = ContentType.objects.create(app_label="gone_app", model="removedmodel")
trigger = Trigger.objects.create(verb="post_save", action_object_content_type=gone)
subscription = Subscription.objects.create(trigger=trigger)
subscription.backends.add(Backend.objects.create(messenger="SlackMessenger", options={}))
subscription.backends.add(Backend.objects.create(messenger="old.path.Pigeon"))
"""


def test_migrate_check_and_sync_exit_0_with_warnings(tmp_path: Path) -> None:
    (tmp_path / "badrowssettings.py").write_text(SETTINGS % {"db": str(tmp_path / "db.sqlite3")})
    (tmp_path / "badrowsurls.py").write_text("urlpatterns = []\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "badrowssettings", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}

    def manage(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=tmp_path,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )

    assert manage("migrate", "--verbosity", "0").returncode == 0
    assert manage("shell", stdin=BAD_ROWS).returncode == 0

    for args, warned in (
        (("migrate",), True),  # migrate runs the checks of the database it migrates
        (("check",), False),  # a bare check reads no row
        (("check", "--database", "default"), True),
        (("signal_notifier", "sync"), False),
    ):
        result = manage(*args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "SystemCheckError" not in result.stderr
        output = result.stdout + result.stderr
        for check_id, text in (
            ("signal_notifier.W011", "model gone_app.removedmodel no longer exists"),
            ("signal_notifier.W012", "unknown messenger 'old.path.Pigeon'"),
            ("signal_notifier.W016", "Missing option 'webhook_url' or 'channel'"),
        ):
            assert ((check_id in output) and (text in output)) is warned, (args, output)

    listed = manage("signal_notifier", "list", "--problems")
    assert listed.returncode == 1
    assert "model gone_app.removedmodel no longer exists" in listed.stdout
    assert "unknown messenger 'old.path.Pigeon'" in listed.stdout
    assert "Missing option 'webhook_url' or 'channel'" in listed.stdout
