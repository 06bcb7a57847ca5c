"""Issue 16: a 0.2.1 database upgrades in place, on SQLite and PostgreSQL, in a real project.

The database is the one django-signal-notifier 0.2.1 made on Django 3.0 (``fixtures/``). After
``migrate``: every trigger, backend and subscription is kept with its users and groups,
``DSN_Profile``'s chat ids are where the Telegram channel reads them, the demo rows and the
content types moved to the quickstart app, ``check`` is clean, the admin lists load, the
quickstart prints and the old configuration sends. The schema is a fresh install's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.compat.legacy_project import LegacyProject

pytestmark = pytest.mark.slow
TOKEN = "123456789:AAHfakeTokenForTests_abcdefghijklmno"

STATE = """
import json
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django_signal_notifier.models import Backend, DSN_Profile, Profile, Subscription, Trigger
from django_signal_notifier.quickstart.models import TestModel1, TestModel2

def label(content_type):
    return None if content_type is None else f"{content_type.app_label}.{content_type.model}"

print("JSON:" + json.dumps({
    "triggers": [
        [t.pk, t.verb, label(t.action_object_content_type), t.action_object_id, label(t.actor_object_content_type),
         t.actor_object_id, t.target, t.enabled]
        for t in Trigger.objects.order_by("pk")
    ],
    "backends": [[b.pk, b.messenger, b.message_template, b.options] for b in Backend.objects.order_by("pk")],
    "subscriptions": [
        [s.pk, s.trigger_id, s.enabled, sorted(s.backends.values_list("pk", flat=True)),
         sorted(s.receiver_users.values_list("username", flat=True)),
         sorted(s.receiver_groups.values_list("name", flat=True)),
         sorted(s.receivers().values_list("username", flat=True))]
        for s in Subscription.objects.order_by("pk")
    ],
    "profiles": [[p.pk, p.user.username, p.telegram_chat_id] for p in Profile.objects.order_by("pk")],
    "same_class": DSN_Profile is Profile,
    "demo": [[m.__name__, m.objects.order_by("pk").values_list("pk", "name", "extra_field")[::1]]
             for m in (TestModel1, TestModel2)],
    "our_content_types": sorted(ContentType.objects.filter(app_label="django_signal_notifier").values_list("model", flat=True)),
    "profile_permissions": sorted(Permission.objects.filter(content_type__model="profile").values_list("codename", flat=True)),
    "stale_permissions": Permission.objects.filter(codename__contains="dsn_profile").count(),
    "tables_left": sorted(t for t in connection.introspection.table_names()
                          if t in ("django_signal_notifier_dsn_profile", "django_signal_notifier_testmodel1",
                                   "django_signal_notifier_testmodel2")),
    "new_ids": [Trigger.objects.create(verb="post_delete").pk, Profile.objects.create(
        user=__import__("django.contrib.auth").contrib.auth.get_user_model().objects.create(username="carol")).pk],
}))
"""

ADMIN_PAGES = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
pages = [
    "/admin/django_signal_notifier/trigger/", "/admin/django_signal_notifier/trigger/1/change/",
    "/admin/django_signal_notifier/backend/", "/admin/django_signal_notifier/backend/2/change/",
    "/admin/django_signal_notifier/subscription/", "/admin/django_signal_notifier/subscription/2/change/",
    "/admin/django_signal_notifier/profile/", "/admin/django_signal_notifier/profile/2/change/",
    "/admin/signal_notifier_quickstart/testmodel1/", "/admin/",
]
answers = {page: client.get(page) for page in pages}
print("JSON:" + json.dumps({page: [r.status_code, "-1001234567890" in r.content.decode()] for page, r in answers.items()}))
"""

QUICKSTART = """
from django_signal_notifier.models import *
TestModel1_another_instance = TestModel1.objects.create(name="new_test_model2", extra_field="extra")
"""

EXPECTED_TRIGGERS = [
    [1, "pre_save", "signal_notifier_quickstart.testmodel1", None, None, None, None, True],
    [2, "post_save", "signal_notifier_quickstart.testmodel2", "1", "auth.user", None, "dashboard", False],
]
EXPECTED_BACKENDS = [
    [1, "SimplePrintMessengerTemplateBased", "SimplePrintMessageTemplate", {}],
    [2, "TelegramBotMessenger", "SimpleTelegramMessageTemplate1", {}],
]
EXPECTED_SUBSCRIPTIONS = [
    [1, 1, True, [1], ["admin"], [], ["admin"]],
    [2, 2, True, [1, 2], ["alice"], ["editors"], ["alice", "bob"]],
    [3, 1, False, [2], [], [], []],
]


# The project's database follows the run's (DSN_TEST_DB): the SQLite run upgrades on SQLite, the
# PostgreSQL run (make test-postgres, .ci/run) on PostgreSQL.
VENDOR = "postgresql" if os.environ.get("DSN_TEST_DB") == "postgres" else "sqlite"


@pytest.fixture(params=[VENDOR])
def vendor(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        request.getfixturevalue("postgres")
    return str(request.param)


@pytest.fixture
def project(tmp_path: Path, vendor: str, httpserver: Any) -> Iterator[LegacyProject]:
    telegram = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": httpserver.url_for("/")}
    made = LegacyProject(tmp_path / "project", vendor, signal_notifier=telegram)
    try:
        yield made
    finally:
        made.drop()


def test_migrate_upgrades_a_0_2_1_database_in_place(project: LegacyProject, tmp_path: Path, httpserver: Any) -> None:
    project.load_0_2_1()

    # Before migrate, check says what is wrong and how to fix it (not "no issues").
    before = project.ok("check", "--database", "default")
    assert "signal_notifier.W050" in before and "0.2.1's tables" in before and "manage.py migrate" in before
    assert "no issues" not in before

    migrated = project.manage("migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "InconsistentMigrationHistory" not in migrated.stderr
    assert "Applying django_signal_notifier.0002_event_outbox... OK" in migrated.stdout

    state = project.python(STATE)
    assert state["triggers"] == EXPECTED_TRIGGERS
    assert state["backends"] == EXPECTED_BACKENDS
    assert state["subscriptions"] == EXPECTED_SUBSCRIPTIONS
    assert state["profiles"] == [[1, "admin", "78067664"], [2, "alice", "-1001234567890"], [3, "bob", ""]]
    assert state["same_class"] is True
    assert state["demo"] == [
        ["TestModel1", [[1, "first", "extra"], [2, "second", ""]]],
        ["TestModel2", [[1, "watched", ""]]],
    ]
    # The content types moved with their rows: none of 0.2.1's is left stale under this app.
    assert "dsn_profile" not in state["our_content_types"] and "testmodel1" not in state["our_content_types"]
    assert {"profile", "trigger", "backend", "subscription"} <= set(state["our_content_types"])
    assert state["profile_permissions"] == ["add_profile", "change_profile", "delete_profile", "view_profile"]
    assert state["stale_permissions"] == 0
    assert state["tables_left"] == []
    assert state["new_ids"] == [3, 4]  # the id sequences continue after the kept rows

    after = project.ok("check", "--database", "default")
    for check_id in ("W050", "W051", "W052", "W053", "W013"):
        assert f"signal_notifier.{check_id}" not in after, after

    pages = project.python(ADMIN_PAGES)
    assert {page: status for page, (status, _) in pages.items()} == dict.fromkeys(pages, 200)
    assert pages["/admin/django_signal_notifier/profile/"][1]  # alice's chat id is listed

    # 0.2.1's quickstart, unchanged: creating a TestModel1 prints the message for admin.
    printed = project.ok("shell", stdin=QUICKSTART)
    assert "[django-signal-notifier] pre_save on test model1 “new_test_model2” for admin" in printed

    # The old Telegram backend sends to the chat ids that were DSN_Profile's.
    httpserver.expect_request(f"/bot{TOKEN}/sendMessage", method="POST").respond_with_json({"ok": True})
    project.ok(
        "shell",
        stdin="from django_signal_notifier.models import Trigger; Trigger.objects.filter(pk=2).update(enabled=True)",
    )
    fired = project.manage("signal_notifier", "fire", "2", "--object", "1", "--json")
    assert fired.returncode == 0, fired.stdout + fired.stderr
    outcome = json.loads(fired.stdout[fired.stdout.index("{") :])
    # alice and bob (editors) by the printer and by Telegram; bob has no chat id.
    assert outcome["deliveries"] == {"sent": 3, "skipped": 1}
    chats = sorted(json.loads(request.get_data())["chat_id"] for request, _ in httpserver.log)
    assert chats == ["-1001234567890"]

    # A fresh install of the same project has exactly this schema; its models need no migration.
    fresh = LegacyProject(tmp_path / "fresh", project.vendor)
    try:
        fresh.ok("migrate")
        assert fresh.describe() == project.describe()
        fresh.ok("makemigrations", "--check", "--dry-run")
    finally:
        fresh.drop()


def test_check_names_a_half_upgraded_0_2_1_database(project: LegacyProject) -> None:
    """Migrated part of the way (0002 applied, not 0003): check still says so, and migrate finishes it."""
    project.load_0_2_1()
    project.ok("migrate", "django_signal_notifier", "0002_event_outbox")
    half = project.ok("check", "--database", "default")
    assert "signal_notifier.W050" in half and "no issues" not in half
    project.ok("migrate")
    assert project.python(STATE)["profiles"][1] == [2, "alice", "-1001234567890"]
    assert "signal_notifier.W05" not in project.ok("check", "--database", "default")


def test_without_the_quickstart_app_the_demo_tables_stay_and_check_names_the_trigger(tmp_path: Path) -> None:
    """0.2.1's demo models are not this package's: without the quickstart app their rows are left as they were."""
    project = LegacyProject(tmp_path / "project", "sqlite", quickstart=False)
    project.load_0_2_1()
    project.ok("migrate")
    left = project.python(
        "import json; from django.db import connection; from django_signal_notifier.models import Trigger, Profile\n"
        "print('JSON:' + json.dumps([sorted(t for t in connection.introspection.table_names() if 'testmodel' in t),"
        " Trigger.objects.count(), Profile.objects.count()]))"
    )
    assert left == [["django_signal_notifier_testmodel1", "django_signal_notifier_testmodel2"], 2, 3]
    checked = project.ok("check", "--database", "default")
    assert "signal_notifier.W011" in checked and "django_signal_notifier.testmodel1 no longer exists" in checked
    assert "signal_notifier.W05" not in checked


A1_CONFIGURATION = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.loader import MigrationLoader
# The models as 1.0.0a1 had them (today's have columns its tables lack).
a1 = MigrationLoader(connection).project_state(("django_signal_notifier", "0002_event_outbox")).apps
Backend, Subscription, Trigger = (a1.get_model("django_signal_notifier", n) for n in ("Backend", "Subscription", "Trigger"))
admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
trigger = Trigger.objects.create(verb="post_save", key="a1", conditions=[{"op": "created"}])
backend = Backend.objects.create(messenger="SimplePrintMessengerTemplateBased", options={})
subscription = Subscription.objects.create(trigger=trigger, digest_seconds=60)
subscription.backends.add(backend)
subscription.receiver_users.add(admin.pk)
print("JSON:" + json.dumps([trigger.pk, backend.pk, subscription.pk]))
"""

A1_STATE = """
import json
from django_signal_notifier.models import Profile, Subscription, Trigger
s = Subscription.objects.get()
print("JSON:" + json.dumps([Trigger.objects.get().key, Trigger.objects.get().conditions, s.digest_seconds,
                            list(s.receivers().values_list("username", flat=True)), Profile.objects.count()]))
"""


def test_a_1_0_0a1_database_keeps_migrating(tmp_path: Path, vendor: str) -> None:
    """A project on 1.0.0a1 (0001_initial and 0002_event_outbox applied) gets the new migrations, rows kept."""
    project = LegacyProject(tmp_path / "project", vendor)
    try:
        project.ok("migrate", "django_signal_notifier", "0002_event_outbox")
        project.ok("migrate", "signal_notifier_quickstart", "0001_initial")
        assert project.python(A1_CONFIGURATION) == [1, 1, 1]
        behind = project.ok("check", "--database", "default")
        assert "signal_notifier.W051" in behind and "no table django_signal_notifier_profile" in behind

        migrated = project.ok("migrate")
        assert "Applying django_signal_notifier.0003_profile... OK" in migrated
        assert project.python(A1_STATE) == ["a1", [{"op": "created"}], 60, ["admin"], 0]
        assert "signal_notifier.W05" not in project.ok("check", "--database", "default")
    finally:
        project.drop()
