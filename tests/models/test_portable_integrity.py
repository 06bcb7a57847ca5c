"""The same integrity on every database: one preference per (user, subscription or "every", verb, channel),
the inbox's and the sweeper's partial indexes (or their stand-ins), and no check warning about either.

The suite runs on SQLite, PostgreSQL and MariaDB (``make test``); each of these tests runs on all three.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.db import IntegrityError, connection, transaction
from django.forms import modelform_factory
from django.urls import reverse

from django_signal_notifier.models import Event, Notification, Preference
from tests.support.factories import subscribe, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana() -> Any:
    return user("ana")


@pytest.mark.parametrize("every_subscription", [True, False], ids=["every-subscription", "one-subscription"])
@pytest.mark.parametrize("channel", ["", "EmailMessenger"], ids=["every-channel", "one-channel"])
def test_a_second_identical_preference_is_refused(ana: Any, every_subscription: bool, channel: str) -> None:
    subscription = None if every_subscription else subscribe()
    Preference.objects.create(user=ana, subscription=subscription, channel=channel, enabled=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(user=ana, subscription=subscription, channel=channel, enabled=True)
    assert Preference.objects.filter(user=ana).count() == 1


def test_preferences_that_differ_in_one_part_coexist(ana: Any) -> None:
    first, second = subscribe(), subscribe()
    bob = user("bob")
    rows = [
        (ana, None, ""),
        (ana, None, "EmailMessenger"),
        (ana, first, ""),
        (ana, first, "EmailMessenger"),
        (ana, second, ""),
        (bob, None, ""),
    ]
    for who, subscription, channel in rows:
        Preference.objects.create(user=who, subscription=subscription, channel=channel)
    assert Preference.objects.count() == len(rows)
    scopes = dict(Preference.objects.filter(user=ana, channel="").values_list("subscription_id", "subscription_scope"))
    assert scopes == {None: 0, first.pk: first.pk, second.pk: second.pk}


def test_a_subscription_change_moves_the_scope_with_it(ana: Any) -> None:
    """The scope is the database's: an UPDATE that bypasses save() keeps it right too."""
    subscription = subscribe()
    Preference.objects.create(user=ana, subscription=None, channel="")
    Preference.objects.filter(user=ana).update(subscription=subscription)
    assert Preference.objects.get(user=ana).subscription_scope == subscription.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(user=ana, subscription=subscription, channel="")


@pytest.mark.parametrize("every_subscription", [True, False], ids=["every-subscription", "one-subscription"])
def test_a_form_reports_the_duplicate_instead_of_failing_on_save(ana: Any, every_subscription: bool) -> None:
    """The admin's form (every field but the computed scope) validates the uniqueness itself."""
    subscription = None if every_subscription else subscribe()
    Preference.objects.create(user=ana, subscription=subscription, channel="EmailMessenger")
    form_class = modelform_factory(Preference, fields=["user", "subscription", "channel", "enabled"])
    data = {"user": ana.pk, "subscription": subscription.pk if subscription else "", "channel": "EmailMessenger"}
    form = form_class(data=data)
    assert not form.is_valid()
    assert "Preference with this User, Subscription, Verb and Channel already exists." in str(form.errors)
    assert form_class(data={**data, "channel": "SmsMessenger"}).is_valid()


def test_the_database_checks_report_no_missing_constraint_or_condition() -> None:
    """MySQL and MariaDB have neither conditional unique constraints (models.W036) nor partial
    indexes (models.W037): the package's models use neither there."""
    found = checks.run_checks(databases=["default"], tags=[checks.Tags.models])
    ours = [(m.id, str(m.obj)) for m in found if m.obj in (Preference, Notification, Event)]
    assert ours == []


def index_columns(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: list(info["columns"]) for name, info in constraints.items() if name.startswith("dsn_")}


def test_the_partial_indexes_or_their_stand_ins_exist() -> None:
    if connection.features.supports_partial_indexes:
        expected_inbox = {
            "dsn_inbox_newest": ["recipient_id", "created_at", "id"],
            "dsn_inbox_unread": ["recipient_id", "snoozed_until", "expires_at"],
            "dsn_inbox_expires": ["expires_at"],
            "dsn_inbox_unread_group": ["recipient_id", "group_key"],
            "dsn_inbox_group": ["recipient_id", "group_key", "created_at"],
        }
        expected_event = {"dsn_event_fanout_todo": ["fanout_updated_at"]}
    else:  # the condition's columns as key parts, before the ordering
        expected_inbox = {
            "dsn_inbox_newest": ["recipient_id", "archived", "created_at", "id"],
            "dsn_inbox_unread": ["recipient_id", "unread", "archived", "snoozed_until", "expires_at"],
            "dsn_inbox_expires": ["expires_at"],
            "dsn_inbox_unread_group": ["recipient_id", "unread", "archived", "group_key"],
            "dsn_inbox_group": ["recipient_id", "group_key", "created_at"],
        }
        expected_event = {"dsn_event_fanout_todo": ["fanout_done", "fanout_updated_at"]}
    assert index_columns(Notification._meta.db_table) == expected_inbox
    assert index_columns(Event._meta.db_table) == expected_event
    assert index_columns(Preference._meta.db_table) == {
        "dsn_preference_unique_verb": ["user_id", "subscription_scope", "verb", "channel"]
    }


def test_the_admin_answers_a_duplicate_preference_with_the_form_error(admin_client: Any, ana: Any) -> None:
    Preference.objects.create(user=ana, subscription=None, channel="EmailMessenger")
    form = {"user": ana.pk, "subscription": "", "channel": "EmailMessenger", "updated_at_0": "2026-01-02"}
    response = admin_client.post(
        reverse("admin:django_signal_notifier_preference_add"), {**form, "updated_at_1": "10:00"}
    )
    assert response.status_code == 200
    assert "Preference with this User, Subscription, Verb and Channel already exists." in response.content.decode()
    assert Preference.objects.filter(user=ana).count() == 1
