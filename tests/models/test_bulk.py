"""The shared-values bulk insert writes exactly what bulk_create would (SQLite, PostgreSQL; bulk_create itself elsewhere)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification
from django_signal_notifier.models.bulk import BulkInsert, insert_one
from tests.support.factories import user

pytestmark = pytest.mark.django_db


def test_rows_get_their_own_values_the_shared_ones_and_the_defaults() -> None:
    alice, bob = user("alice"), user("bob")
    when = timezone.now() - datetime.timedelta(days=3)
    shared = {"verb": "post_save", "title": "T", "data": {"k": [1, "é"]}, "created_at": when}
    BulkInsert(Notification, "default", shared, ("recipient_id", "url", "actor_content_type_id")).insert(
        [(alice.pk, "/a", None), (bob.pk, "/b", None)]
    )
    rows = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(rows) == {alice.pk, bob.pk}
    first = rows[alice.pk]
    assert (first.verb, first.title, first.url, first.data) == ("post_save", "T", "/a", {"k": [1, "é"]})
    assert first.created_at == when  # an aware datetime round-trips with USE_TZ
    assert first.unread is True and first.archived is False  # model defaults for unnamed columns
    assert first.actor_content_type_id is None  # a VALUES column of NULLs only


def test_a_varying_json_column_and_returning_keys() -> None:
    alice = user("alice")
    event = Event.objects.create(verb="post_save", snapshot={})
    contents = [{"subject": f"s{i}"} for i in range(3)]
    shared = {"event_id": event.pk, "channel": "email", "created_at": event.created_at}
    pks = BulkInsert(Delivery, "default", shared, ("recipient_id", "status", "content")).insert(
        [(alice.pk if i else None, DeliveryStatus.PENDING, content) for i, content in enumerate(contents)],
        returning=True,
    )
    if connection.features.can_return_rows_from_bulk_insert:
        assert sorted(pks) == sorted(Delivery.objects.values_list("pk", flat=True))
    stored = sorted(Delivery.objects.values_list("content", flat=True), key=lambda c: c["subject"])
    assert stored == contents
    assert Delivery.objects.filter(recipient=None).count() == 1


def test_statements_respect_the_parameter_limit_and_the_batch_size() -> None:
    users = [user(f"u{i}") for i in range(30)]
    writer = BulkInsert(Notification, "default", {"verb": "v"}, ("recipient_id", "title"), batch_size=7)
    assert writer.rows_per_statement() == 7
    with CaptureQueriesContext(connection) as queries:
        writer.insert([(u.pk, f"t{u.pk}") for u in users])
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 5  # ceil(30 / 7)
    assert Notification.objects.count() == 30
    assert set(Notification.objects.values_list("title", flat=True)) == {f"t{u.pk}" for u in users}


def test_shared_values_travel_once_per_statement_where_the_database_takes_it() -> None:
    """SQLite, PostgreSQL and MariaDB: a statement's parameters are the shared values once, then
    the varying ones per row, not every column of every row as with ``bulk_create``."""
    if connection.vendor == "mysql" and not connection.mysql_is_mariadb:
        pytest.skip("MySQL writes through bulk_create (its VALUES rows are ROW(…))")
    alice, bob = user("alice"), user("bob")
    shared = {"verb": "post_save", "title": "T", "body": "B" * 50}
    writer = BulkInsert(Notification, "default", shared, ("recipient_id",))
    with CaptureQueriesContext(connection) as queries:
        writer.insert([(alice.pk,), (bob.pk,)])
    (insert,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert insert.count("B" * 50) == 1 and insert.count("'post_save'") == 1, insert
    assert {n.recipient_id: n.body for n in Notification.objects.all()} == {alice.pk: "B" * 50, bob.pk: "B" * 50}


def test_no_rows_no_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert BulkInsert(Notification, "default", {}, ("recipient_id",)).insert([]) == []
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]


def test_an_unknown_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no_such_column"):
        BulkInsert(Notification, "default", {"no_such_column": 1}, ("recipient_id",))


def test_insert_one_sets_the_key_and_the_defaults() -> None:
    event = Event(verb="post_save", snapshot={"instance": {"pk": "1"}})
    insert_one(event, "default")
    assert event.pk is not None and not event._state.adding
    stored = Event.objects.get(pk=event.pk)
    assert stored.snapshot == {"instance": {"pk": "1"}}
    assert stored.created_at == event.created_at


def test_an_over_long_value_fails_as_with_bulk_create() -> None:
    """PostgreSQL would cut a value cast to varchar(n) short; the column must refuse it instead
    (MariaDB in its default strict mode refuses it too)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite does not enforce varchar lengths (neither does bulk_create there)")
    alice = user("alice")
    event = Event.objects.create(verb="post_save", snapshot={})
    writer = BulkInsert(Delivery, "default", {"event_id": event.pk, "channel": "c"}, ("recipient_id", "digest_key"))
    from django.db import DataError, transaction

    with pytest.raises(DataError), transaction.atomic():
        writer.insert([(alice.pk, "k" * 150)])  # digest_key holds 100 characters
