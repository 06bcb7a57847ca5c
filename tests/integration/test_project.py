"""The package inside a real project: fresh migrate, the 0.2.1 quickstart, migrations, processes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """
SECRET_KEY = "fresh"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages",
    "django_signal_notifier.quickstart",
    "django_signal_notifier",
]
DATABASES = {"default": %(database)r}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "freshurls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SIGNAL_NOTIFIER = {"CONFIG_CHECK_INTERVAL": 0.5}
"""


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The fresh project's database: an SQLite file, or in the MariaDB run (DSN_TEST_DB=mariadb) a
    new database on that server, where a user's project meets what SQLite forgives."""
    from django.conf import settings

    server = settings.DATABASES["default"]
    if server["ENGINE"] != "django.db.backends.mysql":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
        return
    import MySQLdb

    name = f"dsn_fresh_{uuid.uuid4().hex[:12]}"
    login = {
        "host": server["HOST"],
        "port": int(server["PORT"]),
        "user": server["USER"],
        "password": server["PASSWORD"],
    }
    with contextlib.closing(MySQLdb.connect(**login)) as admin:
        admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        try:
            yield {
                **{key: server[key] for key in ("ENGINE", "HOST", "PORT", "USER", "PASSWORD")},
                "NAME": name,
                "OPTIONS": {"charset": "utf8mb4"},
            }
        finally:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def project(tmp_path: Path, fresh_database: dict[str, Any]):
    (tmp_path / "freshsettings.py").write_text(SETTINGS % {"database": fresh_database})
    (tmp_path / "freshurls.py").write_text(
        "from django.contrib import admin\nfrom django.urls import path\nurlpatterns = [path('admin/', admin.site.urls)]\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "freshsettings", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}

    def manage(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=tmp_path,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    manage.env = env  # type: ignore[attr-defined]
    manage.path = tmp_path  # type: ignore[attr-defined]
    return manage


def test_a_fresh_migrate_is_silent(project):
    result = project("migrate", "--verbosity", "1")
    assert result.stderr == "", result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    noise = [
        line
        for line in lines
        if not (
            line.startswith("  Applying")
            or line.startswith("Operations to perform")
            or line.startswith("  Apply all migrations")
            or line.startswith("Running migrations")
        )
    ]
    assert noise == [], noise


QUICKSTART_SETUP = """
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django_signal_notifier.models import *
admin = User.objects.create_superuser("admin", "admin@example.com", "pw")
bob = User.objects.create_user("bob")
carol = User.objects.create_user("carol")
team = Group.objects.create(name="team")
bob.groups.add(team); admin.groups.add(team)
trigger = Trigger(verb="pre_save", action_object_content_type=ContentType.objects.get_for_model(TestModel1))
trigger.save()
backend = Backend(messenger="SimplePrintMessengerTemplateBased", message_template="SimplePrintMessageTemplate")
backend.save()
subscription = Subscription(trigger=trigger)
subscription.save()
subscription.backends.add(backend)
subscription.receiver_users.add(admin)
subscription.receiver_groups.add(team)
"""

QUICKSTART = """
from django_signal_notifier.models import *
TestModel1_another_instance = TestModel1.objects.create(name="new_test_model2", extra_field="extra")
"""


def test_the_0_2_1_quickstart_prints_once_per_recipient(project):
    project("migrate")
    project("shell", stdin=QUICKSTART_SETUP)
    result = project("shell", stdin=QUICKSTART)
    printed = [line for line in result.stdout.splitlines() if line.startswith("[django-signal-notifier]")]
    # admin is a receiver twice (user and team member) and still gets one message
    assert len(printed) == 2, result.stdout + result.stderr
    assert {line.rsplit(" for ", 1)[1] for line in printed} == {"admin", "bob"}
    for line in printed:
        assert "pre_save" in line and "new_test_model2" in line
    assert result.stderr == ""


def test_a_stored_trigger_with_an_unknown_signal_does_not_stop_the_app_and_is_reported(project):
    project("migrate")
    project("shell", stdin=QUICKSTART_SETUP + "Trigger.objects.create(verb='signal_removed_in_a_refactor')\n")
    check = project("check", "--database", "default", check=False)
    assert check.returncode == 0  # a stored row is a warning: it never stops the site
    assert "signal_notifier.W010" in check.stderr and "signal_removed_in_a_refactor" in check.stderr
    # the app still starts and the other trigger still fires
    result = project("shell", stdin=QUICKSTART)
    assert result.stdout.count("[django-signal-notifier]") == 2


SLOW_FIRST_PROCESS = """
import sys, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_signal_notifier.models import Notification
from django_signal_notifier.quickstart.models import TestModel1, TestModel2
TestModel2.objects.create(name="warm-up")            # builds the (empty) index
started = time.monotonic()
with CaptureQueriesContext(connection) as queries:
    for i in range(20):
        TestModel2.objects.create(name=f"idle {i}")
print("IDLE_SAVES", 20, len(queries), round(time.monotonic() - started, 3), flush=True)
print("READY", flush=True)
sys.stdin.readline()                                  # the second process has changed the configuration
changed_at = time.monotonic()
deadline = changed_at + 10
while time.monotonic() < deadline:
    TestModel1.objects.create(name="probe")
    if Notification.objects.exists():
        print("SEEN_AFTER", round(time.monotonic() - changed_at, 3), flush=True)
        break
    time.sleep(0.05)
else:
    print("NEVER_SEEN", flush=True)
"""

SECOND_PROCESS = """
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.quickstart.models import TestModel1
trigger = Trigger.objects.create(verb="post_save", action_object_content_type=ContentType.objects.get_for_model(TestModel1))
backend = Backend.objects.create(messenger="InSiteMessenger")
subscription = Subscription.objects.create(trigger=trigger)
subscription.backends.add(backend)
subscription.receiver_users.add(User.objects.create_user("watcher"))
"""


def test_a_change_made_by_another_process_takes_effect_without_restart(project):
    project("migrate")
    first = subprocess.Popen(
        [sys.executable, "-m", "django", "shell", "-c", SLOW_FIRST_PROCESS],
        cwd=project.path,
        env=project.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def read_until(*prefixes: str) -> list[str]:
        for line in first.stdout:  # bounded: the script always ends within its own deadline
            if line.startswith(prefixes):
                return line.split()
        raise AssertionError(f"the first process ended early: {first.stderr.read()}")

    try:
        _, saves, queries, elapsed = read_until("IDLE_SAVES")
        # with no configuration change, a save costs its own INSERT; the version stamp is read
        # at most once per CONFIG_CHECK_INTERVAL (0.5 s here), not once per save
        stamp_reads = int(queries) - int(saves)
        assert 0 <= stamp_reads <= float(elapsed) / 0.5 + 1, (saves, queries, elapsed)
        read_until("READY")
        project("shell", stdin=SECOND_PROCESS)
        first.stdin.write("go\n")
        first.stdin.flush()
        seen = read_until("SEEN_AFTER", "NEVER_SEEN")
        assert seen[0] == "SEEN_AFTER", seen
        assert float(seen[1]) <= 0.5 + 1.0  # CONFIG_CHECK_INTERVAL is 0.5 s in this project
    finally:
        first.kill()
        first.wait(timeout=10)


def test_makemigrations_is_clean_also_after_registering_a_messenger(project):
    registering = textwrap.dedent(
        """
        from django.core.management import call_command
        from django_signal_notifier.messengers import Messenger, register_messenger
        @register_messenger
        class AddedLater(Messenger):
            def send_message(self, message): pass
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
        print("CLEAN")
        """
    )
    result = project("shell", "-c", registering, check=False)
    assert "CLEAN" in result.stdout, result.stdout + result.stderr


def test_the_test_projects_migrations_are_complete():
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemigrations", "--check", "--dry-run", "--settings=tests.settings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


DECLARING_APP = {
    "__init__.py": "",
    "apps.py": (
        "from django.apps import AppConfig\n\n"
        "class FreshappConfig(AppConfig):\n"
        "    name = 'freshapp'\n\n"
        "    def ready(self):\n"
        "        from freshapp import notifications  # noqa: F401\n"
    ),
    "notifications.py": textwrap.dedent(
        """
        from django_signal_notifier import declare

        @declare.on_sync
        def quickstart_notifications(d):
            saved = d.trigger("testmodel1-saved", verb="post_save", model="signal_notifier_quickstart.TestModel1")
            inbox = d.backend("inbox", messenger="InSiteMessenger")
            d.subscription("testmodel1-to-admin", trigger=saved, backends=[inbox], users=["admin"])
        """
    ),
}


def test_a_declaration_naming_a_user_not_created_yet_never_fails_migrate(project):
    app = project.path / "freshapp"
    app.mkdir()
    for name, text in DECLARING_APP.items():
        (app / name).write_text(text)
    settings_file = project.path / "freshsettings.py"
    settings_file.write_text(
        settings_file.read_text().replace('"django_signal_notifier",\n]', '"django_signal_notifier", "freshapp",\n]')
    )

    migrated = project("migrate", "--verbosity", "1")  # an empty database: no "admin" yet
    assert "Subscription 'testmodel1-to-admin': the user 'admin' does not exist (yet)" in migrated.stdout
    assert "Traceback" not in migrated.stderr

    project("createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.com")
    synced = project("signal_notifier", "sync")
    assert "Warning" not in synced.stderr
    shown = project(
        "shell",
        "-c",
        "from django_signal_notifier.models import Subscription; "
        "print(list(Subscription.objects.get(key='testmodel1-to-admin').receiver_users.values_list('username', flat=True)))",
    )
    assert shown.stdout.strip().splitlines()[-1] == "['admin']"
