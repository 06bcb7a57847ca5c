"""Upgrading a database to the portable constraint: every preference is kept with its scope, and
where the old conditional constraints did not exist (MySQL, MariaDB) duplicates give way to the
row updated last."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

APP = "django_signal_notifier"


def migration_keys() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The app's migration before the portable constraint, and the app's latest migrations."""
    loader = MigrationExecutor(connection).loader
    (name,) = [name for app, name in loader.disk_migrations if app == APP and name.endswith("_portable_integrity")]
    before = [key for key in loader.get_migration(APP, name).dependencies if key[0] == APP]
    return before, loader.graph.leaf_nodes(APP)


@pytest.fixture
def before_upgrade(transactional_db: None) -> Iterator[Any]:
    """The database as the previous migration left it (its apps), migrated back to the latest after."""
    before, latest = migration_keys()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        yield executor.loader.project_state(before).apps
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_upgrading_keeps_each_preference_and_the_latest_of_duplicates(before_upgrade: Any) -> None:
    apps = before_upgrade
    user_model = apps.get_model("auth", "User")
    preference = apps.get_model(APP, "Preference")
    ana, bob = user_model.objects.create(username="ana"), user_model.objects.create(username="bob")
    trigger = apps.get_model(APP, "Trigger").objects.create(verb="post_save")
    subscription = apps.get_model(APP, "Subscription").objects.create(trigger=trigger)
    now = timezone.now()
    distinct = [
        preference.objects.create(user=ana, subscription=None, channel="", enabled=False, updated_at=now),
        preference.objects.create(user=ana, subscription=subscription, channel="", enabled=False, updated_at=now),
        preference.objects.create(user=bob, subscription=None, channel="Sms", enabled=False, updated_at=now),
    ]
    kept = {row.pk for row in distinct}
    if not connection.features.supports_partial_indexes:
        # What the old conditional constraints let through here: the same choice made twice.
        older = now - datetime.timedelta(days=1)
        for subscription_or_every in (None, subscription):
            latest = preference.objects.create(
                user=ana, subscription=subscription_or_every, channel="Email", enabled=True, updated_at=now
            )
            preference.objects.create(
                user=ana, subscription=subscription_or_every, channel="Email", enabled=False, updated_at=older
            )
            kept.add(latest.pk)

    _, latest_migrations = migration_keys()
    MigrationExecutor(connection).migrate(latest_migrations)

    from django_signal_notifier.models import Preference

    rows = {row.pk: row for row in Preference.objects.all()}
    assert set(rows) == kept
    assert all(row.subscription_scope == (row.subscription_id or 0) for row in rows.values())
    assert all(row.enabled for row in rows.values() if row.channel == "Email")
