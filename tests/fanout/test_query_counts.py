"""Query counts of the benchmark scenarios (benchmarks/), asserted without timing anything.

S1: a model with no trigger costs no query while 50 triggers exist; S2: one event to one in-site
recipient takes 5 statements besides transaction control inside a transaction, 4 under
autocommit; S3: the statements do not grow with the number of recipients except by fixed-size
insert batches; S5: an inbox page is 3 queries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks.harness import TRANSACTION_CONTROL
from benchmarks.inbox import PAGE, inbox_page
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.config.sensitive import is_sensitive
from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.intake import receivers
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Notification, Subscription, Trigger
from django_signal_notifier.models.bulk import BulkInsert
from tests.support.recording import RecordingMessenger
from tests.testapp.models import Article, Quiet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def slow_config_checks() -> Iterator[None]:
    """No stamp read in the middle of a count: the index is refreshed before each measurement.

    The realtime inbox is off here: on PostgreSQL it adds one ``pg_notify`` per fan-out chunk
    after the commit, counted on its own in tests/realtime/test_brokers.py.
    """
    with override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 3600, "REALTIME_BROKER": None}):
        yield


def fresh_index() -> None:
    trigger_index.invalidate()
    trigger_index.refresh()


def statements(operation: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        operation()
    return [q["sql"] for q in captured.captured_queries]


def work(sql: list[str]) -> list[str]:
    return [s for s in sql if not TRANSACTION_CONTROL.match(s)]


def make_users(count: int, prefix: str) -> list[Any]:
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [user_model(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com") for i in range(count)]
    )
    return list(user_model.objects.filter(username__startswith=prefix).order_by("pk"))


def subscribe(
    model: Any, *, users: Any = (), groups: Any = (), object_id: str | None = None, messenger: str = "InSiteMessenger"
) -> Subscription:
    trigger = Trigger.objects.create(
        verb="post_save",
        action_object_content_type=ContentType.objects.get_for_model(model),
        action_object_id=object_id,
    )
    backend = Backend.objects.create(messenger=messenger)
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(backend)
    subscription.receiver_users.add(*users)
    subscription.receiver_groups.add(*groups)
    return subscription


def test_S1_a_model_without_trigger_costs_no_query_while_50_triggers_exist() -> None:
    (user,) = make_users(1, "s1_")
    # 50 triggers over every other model (the test project has fewer than 50 models, so the
    # benchmark's 50 distinct models are replaced here by object filters on the ones there are).
    others = [
        ct.model_class()
        for ct in ContentType.objects.exclude(model="quiet").exclude(app_label="django_signal_notifier")
        if ct.model_class() and not is_sensitive(ct.model_class())  # sessions, permissions…: never senders
    ]
    for index in range(50):
        subscribe(others[index % len(others)], users=[user], object_id=str(index + 1))
    fresh_index()
    assert sum(len(specs) for specs in trigger_index._tables["post_save"].by_sender.values()) == 50

    def create_ten() -> None:
        for _ in range(10):
            Quiet.objects.create(name="quiet")

    with_receivers = statements(create_ten)
    receivers.disconnect_all()
    try:
        without = statements(create_ten)
    finally:
        receivers.connect_all()
    assert len(with_receivers) == len(without) == 10


def test_S2_one_event_to_one_inbox_is_5_statements_inside_a_transaction(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Inside the sender's transaction: the object's INSERT and the Event's (the outbox commits with
    the change); after commit: the fan-out's claim of the event, the recipients with their
    opt-outs (one query), the inbox row. Under autocommit the Event and its first chunk share one
    transaction and the claim is not needed (4 statements, as before the outbox)."""
    (user,) = make_users(1, "s2_")
    subscribe(Article, users=[user])
    fresh_index()

    def event() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.create(title="Hello", author=user)

    sql = statements(event)
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(work(sql)) == 5, sql


@pytest.mark.xfail(
    connection.vendor == "mysql",
    reason="MariaDB: after some earlier tests the autocommit fan-out opens one savepoint more (order-dependent; "
    "passes alone; not yet traced)",
    strict=False,
)
@pytest.mark.django_db(transaction=True)  # autocommit: no test transaction around the save
def test_S2_under_autocommit_the_event_and_its_row_are_one_transaction_without_savepoint() -> None:
    """Autocommit: the object's INSERT commits on its own; then the Event, the recipients with
    their opt-outs and the inbox row in one transaction, the first chunk written as claimed (no
    claim UPDATE) and without a savepoint of its own (it would only add two statements)."""
    (user,) = make_users(1, "s2_")
    subscribe(Article, users=[user])
    fresh_index()
    sql = statements(lambda: Article.objects.create(title="Hello", author=user))
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(work(sql)) == 4, sql
    assert not [s for s in sql if "SAVEPOINT" in s.upper()], sql


def notification_inserts(sql: list[str]) -> int:
    table = f"INSERT INTO {connection.ops.quote_name(Notification._meta.db_table)}".upper()
    return sum(1 for s in sql if s.lstrip().upper().startswith(table))


def fan_out_statements(size: int, users: list[Any], group: Group, capture: Any) -> list[str]:
    group.user_set.set(users[:size])
    fresh_index()

    def event() -> None:
        with capture(execute=True):
            Article.objects.create(title=f"to {size}")

    sql = statements(event)
    assert Notification.objects.filter(event__action_object_id=str(Article.objects.latest("pk").pk)).count() == size
    return sql


@pytest.mark.parametrize("batch_size", [1000, None])
def test_S3_statements_do_not_grow_with_recipients_but_by_insert_batches(
    batch_size: int | None, django_capture_on_commit_callbacks: Any
) -> None:
    namespace = {
        "CONFIG_CHECK_INTERVAL": 3600,
        "REALTIME_BROKER": None,  # see slow_config_checks
        **({"BATCH_SIZE": batch_size} if batch_size else {}),
    }
    with override_settings(SIGNAL_NOTIFIER=namespace):
        users = make_users(1000, "s3_")
        group = Group.objects.create(name="fans")
        subscribe(Article, groups=[group])
        small = fan_out_statements(100, users, group, django_capture_on_commit_callbacks)
        large = fan_out_statements(1000, users, group, django_capture_on_commit_callbacks)
        from django_signal_notifier.conf import app_settings

        configured = int(app_settings.BATCH_SIZE)
    per_insert = BulkInsert(Notification, "default", {}, ("recipient_id",), configured).rows_per_statement()
    for size, sql in ((100, small), (1000, large)):
        assert notification_inserts(sql) == math.ceil(size / per_insert), sql
    # Everything but the insert batches is the same whatever the number of recipients.
    assert len(work(small)) - notification_inserts(small) == len(work(large)) - notification_inserts(large)
    if per_insert >= 1000:  # one batch holds them all: the count is constant
        assert len(work(small)) == len(work(large))


@pytest.mark.parametrize("size", [100, 1000])
def test_S5_inbox_page_is_3_queries(size: int) -> None:
    (user,) = make_users(1, f"s5_{size}_")
    articles = Article.objects.bulk_create([Article(title=f"A{i}") for i in range(30)])
    article_ct = ContentType.objects.get_for_model(Article)
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            verb="post_save",
            action_object_content_type=article_ct,
            action_object_id=str(articles[i % 30].pk),
            title=f"n{i}",
            unread=i % 2 == 0,
        )
        for i in range(size)
    )
    ContentType.objects.get_for_id(article_ct.pk)  # a running site has its content types cached
    sql: list[str] = []
    html = ""

    def page() -> None:
        nonlocal html
        html = inbox_page(user)

    sql = statements(page)
    assert html.count("<li") == PAGE
    assert f"{size // 2} unread" in html
    assert len(sql) == 3, sql


def delivery_updates(sql: list[str]) -> int:
    update = f"UPDATE {connection.ops.quote_name(Delivery._meta.db_table)}".upper()
    return sum(1 for s in sql if s.lstrip().upper().startswith(update))


def test_S4_each_email_costs_one_outcome_write_and_the_rest_is_fixed(django_capture_on_commit_callbacks: Any) -> None:
    """One event to N email recipients (one claim batch): N outcome UPDATEs, all else constant."""
    users = make_users(30, "s4_")
    group = Group.objects.create(name="s4")
    subscribe(Article, groups=[group], messenger="EmailMessenger")

    def emails_to(size: int) -> list[str]:
        group.user_set.set(users[:size])
        fresh_index()
        mail.outbox.clear()

        def event() -> None:
            with django_capture_on_commit_callbacks(execute=True):
                Article.objects.create(title=f"to {size}")

        sql = statements(event)
        assert len(mail.outbox) == size
        return sql

    small, large = emails_to(10), emails_to(30)
    assert delivery_updates(large) - delivery_updates(small) == 20  # one per message
    assert len(work(large)) - len(work(small)) == 20  # nothing else grows with recipients


def test_S6_a_worker_writes_one_statement_per_delivery_and_a_fixed_number_per_batch(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``deliver_due`` (what the workers of S6 run): a claim per batch, an UPDATE per delivery."""
    users = make_users(30, "s6_")
    group = Group.objects.create(name="s6")
    subscribe(Article, groups=[group], messenger=RecordingMessenger.__name__)
    monkeypatch.setattr(
        "django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None
    )  # left for the worker

    def worker_run(size: int) -> list[str]:
        group.user_set.set(users[:size])
        fresh_index()
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.create(title=f"to {size}")
        assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == size
        sql = statements(deliver_due)
        assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 0
        return sql

    small, large = worker_run(10), worker_run(30)
    assert delivery_updates(large) - delivery_updates(small) == 20
    assert len(work(large)) - len(work(small)) == 20
    # Per claim batch: bury worn-out claims, choose, claim, read the claimed rows and (prefetched)
    # their event, trigger and subscription, their users, their backend; then one empty claim.
    assert len(work(small)) - 10 <= 12, work(small)
