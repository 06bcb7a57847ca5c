"""Configuration changed by any means (data migration, bulk update, raw SQL, another connection)
reaches this process within CONFIG_CHECK_INTERVAL: the database itself moves the stamp."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.models import (
    ConfigStamp,
    Notification,
    StoredTemplate,
    Subscription,
    Trigger,
    config_triggers,
)
from tests.support.whomwhat import configure
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_connection() -> Iterator[Any]:
    """A second connection to the test database, as another process would hold (autocommit)."""
    other = connections.create_connection("default")
    try:
        yield other
    finally:
        other.close()


def quoted(table: str) -> str:
    return connection.ops.quote_name(table)


def wait_for_the_next_stamp_read() -> None:
    time.sleep(trigger_index.interval() + 0.05)


def titles() -> list[str]:
    return list(Notification.objects.order_by("pk").values_list("title", flat=True))


@pytest.fixture
def reader() -> User:
    return User.objects.create_user("reader")


def test_the_triggers_are_installed_by_migrate_and_checked() -> None:
    assert config_triggers.installed(connection) is True
    assert "signal_notifier.W054" not in [m.id for m in run_checks(databases=["default"])]
    config_triggers.uninstall(connection)
    try:
        assert config_triggers.installed(connection) is False
        assert "signal_notifier.W054" in [m.id for m in run_checks(databases=["default"])]
    finally:
        config_triggers.install(connection)
    assert config_triggers.installed(connection) is True


def test_an_update_through_a_data_migrations_historical_model(reader: User) -> None:
    trigger, _, _ = configure(Article, users=[reader])
    Article.objects.create(title="before")
    assert Notification.objects.count() == 1
    historical = MigrationLoader(connection).project_state().apps.get_model("django_signal_notifier", "Trigger")
    version = ConfigStamp.current()
    historical.objects.filter(pk=trigger.pk).update(enabled=False)  # sends no signal at all
    assert ConfigStamp.current() > version
    wait_for_the_next_stamp_read()
    Article.objects.create(title="after")
    assert Notification.objects.count() == 1


def test_a_raw_sql_edit_of_a_stored_template_from_another_connection(reader: User, other_connection: Any) -> None:
    StoredTemplate.objects.create(name="note", subject="v1 {{ instance }}")
    configure(Article, template="db:note", users=[reader])
    article = Article.objects.create(title="A")
    with other_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted(StoredTemplate._meta.db_table)} SET subject = %s WHERE name = %s",
            ["v2 {{ instance }}", "note"],
        )
    wait_for_the_next_stamp_read()
    article.save()
    assert titles() == ["v1 A", "v2 A"]


def test_a_raw_sql_delete_from_another_connection(reader: User, other_connection: Any) -> None:
    _, subscription, _ = configure(Article, users=[reader])
    Article.objects.create(title="A")
    through = Subscription.backends.through._meta.db_table
    with other_connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted(through)} WHERE subscription_id = %s", [subscription.pk])
    wait_for_the_next_stamp_read()
    Article.objects.create(title="B")  # the subscription lost its only backend: nothing is written
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["A"]


def test_a_bulk_update_of_triggers_from_another_connection(reader: User, other_connection: Any) -> None:
    trigger, _, _ = configure(Article, conditions=[{"field": "status", "op": "eq", "value": "draft"}], users=[reader])
    Article.objects.create(title="draft one")
    with other_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted(Trigger._meta.db_table)} SET conditions = %s WHERE id = %s",
            ['[{"field": "status", "op": "eq", "value": "published"}]', trigger.pk],
        )
    wait_for_the_next_stamp_read()
    Article.objects.create(title="draft two")
    Article.objects.create(title="published", status="published")
    assert [
        row.split()[0] for row in Notification.objects.order_by("pk").values_list("action_object_text", flat=True)
    ] == [
        "draft",
        "published",
    ]
