"""Durable delivery in one process: after commit only, snapshots, bulk outbox rows, retries, logs."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.delivery.retry import error_for_http_status, parse_retry_after
from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from django_signal_notifier.signals import notification_failed, notification_sent
from tests.support.delivery_setup import configure
from tests.support.taskpaths import TASK_BACKENDS
from tests.testapp.models import Article, SentRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_commit_delivers_once() -> None:
    setup = configure(2)
    with transaction.atomic():
        Article.objects.create(title="Hello", body="world")
        assert not Delivery.objects.exists()  # nothing happens before the commit
    assert sorted(SentRecord.objects.values_list("address", flat=True)) == sorted(u.username for u in setup.users)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert "Article “Hello” (world)" in SentRecord.objects.first().text  # type: ignore[union-attr]


def test_rollback_delivers_nothing() -> None:
    configure(3)
    with pytest.raises(RuntimeError), transaction.atomic():
        Article.objects.create(title="never")
        raise RuntimeError("the view failed")
    assert not Event.objects.exists()
    assert not Delivery.objects.exists()
    assert not SentRecord.objects.exists()


def test_rolled_back_savepoint_delivers_nothing_but_the_outer_commit_does() -> None:
    configure(1)
    with transaction.atomic():
        Article.objects.create(title="kept")
        try:
            with transaction.atomic():  # a savepoint
                Article.objects.create(title="rolled back")
                raise ValueError
        except ValueError:
            pass
        assert not SentRecord.objects.exists()
    assert list(SentRecord.objects.values_list("text", flat=True)) == [
        "Article “kept” () for post_save-reader-0",
    ]


def test_the_signal_using_alias_is_the_transaction_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(1)
    seen: list[str | None] = []
    original = transaction.on_commit

    def spy(func: Any, using: str | None = None, robust: bool = False) -> None:
        seen.append(using)
        original(func, using=using, robust=robust)

    monkeypatch.setattr("django_signal_notifier.intake.dispatch.transaction.on_commit", spy)
    Article.objects.using("default").create(title="aliased")
    assert seen[0] == "default"
    assert SentRecord.objects.count() == 1


def test_a_deleted_object_still_renders_its_fields() -> None:
    configure(1, verb="post_delete")
    article = Article.objects.create(title="Gone soon", body="last words")
    article.delete()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert SentRecord.objects.get().text == "Article “Gone soon” (last words) for post_delete-reader-0"
    # A worker rendering again from the stored event (no live object) shows the same fields.
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, content={})
    SentRecord.objects.all().delete()
    assert deliver_due() == {"sent": 1}
    assert SentRecord.objects.get().text == "Article “Gone soon” (last words) for post_delete-reader-0"


def _fan_out_queries(recipients: int, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], int]:
    configure(recipients)
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    with CaptureQueriesContext(connection) as queries:
        Article.objects.create(title="many readers")
    return [q["sql"] for q in queries.captured_queries], Delivery.objects.filter(status=DeliveryStatus.PENDING).count()


def _insert_batches(rows: int) -> int:
    """INSERTs the database needs for ``rows`` deliveries (SQLite caps the parameters of one query)."""
    from django_signal_notifier.fanout.writer import OutboxWriter
    from django_signal_notifier.models.bulk import BulkInsert

    varying = OutboxWriter.DELIVERY_COLUMNS
    size = BulkInsert(Delivery, "default", {}, varying, 500).rows_per_statement()  # BATCH_SIZE
    return -(-rows // size)


def test_outbox_rows_are_written_in_a_constant_number_of_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth import get_user_model

    from django_signal_notifier.models import Backend, Trigger

    small, small_rows = _fan_out_queries(10, monkeypatch)
    for model in (Article, Delivery, Event, Trigger, Backend, get_user_model()):
        model.objects.all().delete()
    large, large_rows = _fan_out_queries(300, monkeypatch)
    assert (small_rows, large_rows) == (10, 300)

    def inserts(queries: list[str]) -> int:
        return sum(1 for q in queries if "INSERT" in q and "signal_notifier_delivery" in q)

    assert (inserts(small), inserts(large)) == (_insert_batches(10), _insert_batches(300))
    if connection.vendor == "postgresql":
        assert inserts(large) == 1
    # Everything else is the same list of queries whatever the number of recipients.
    assert len(small) - inserts(small) == len(large) - inserts(large)


def test_flaky_channel_is_retried_with_backoff_and_ends_sent(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "RETRY_BASE_DELAY": 10.0, "MAX_ATTEMPTS": 5}
    configure(1, options={"fail_times": 2})
    failures: list[dict[str, Any]] = []
    notification_failed.connect(lambda **kw: failures.append(kw), weak=False, dispatch_uid="t-flaky")
    try:
        Article.objects.create(title="flaky")
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
        assert "HTTP 503" in delivery.last_error
        first_wait = delivery.next_attempt_at - delivery.updated_at
        assert timedelta(seconds=5) <= first_wait <= timedelta(seconds=10)
        assert deliver_due() == {}  # not due yet: nothing is sent early

        _make_due(delivery)
        assert deliver_due() == {"failed": 1}
        delivery.refresh_from_db()
        second_wait = delivery.next_attempt_at - delivery.updated_at
        assert (delivery.attempts, delivery.status) == (2, DeliveryStatus.FAILED)
        assert timedelta(seconds=10) <= second_wait <= timedelta(seconds=20)  # doubled, with jitter

        _make_due(delivery)
        assert deliver_due() == {"sent": 1}
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 3, "")
        assert SentRecord.objects.count() == 1
        assert [f["final"] for f in failures] == [False, False]
    finally:
        notification_failed.disconnect(dispatch_uid="t-flaky")


def test_transient_failures_end_dead_after_max_attempts(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "MAX_ATTEMPTS": 3}
    configure(1, options={"fail_times": 99})
    Article.objects.create(title="down")
    delivery = Delivery.objects.get()
    for _ in range(2):
        _make_due(delivery)
        deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 3)
    assert "HTTP 503" in delivery.last_error
    _make_due(delivery)
    assert deliver_due() == {}  # dead is final


def test_permanent_error_is_dead_at_once_and_signalled() -> None:
    configure(1, options={"permanent": True})
    seen: list[dict[str, Any]] = []
    notification_failed.connect(lambda **kw: seen.append(kw), weak=False, dispatch_uid="t-perm")
    try:
        Article.objects.create(title="bad address")
    finally:
        notification_failed.disconnect(dispatch_uid="t-perm")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 1)
    assert delivery.last_error == "no such mailbox: post_save-reader-0"
    assert seen[0]["final"] is True and seen[0]["delivery"].pk == delivery.pk


def test_429_retry_after_sets_the_next_attempt(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "RETRY_BASE_DELAY": 1.0}
    configure(1, options={"fail_times": 1, "retry_after": 120})
    before = timezone.now()
    Article.objects.create(title="rate limited")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("HTTP 429")
    assert delivery.next_attempt_at >= before + timedelta(seconds=120)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(200, None), (400, "permanent"), (404, "permanent"), (408, "transient"), (429, "transient"), (503, "transient")],
)
def test_http_status_classification(status: int, kind: str | None) -> None:
    error = error_for_http_status(status, "body")
    assert (None if error is None else ("transient" if error.transient else "permanent")) == kind


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = (timezone.now() + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 85 <= (parse_retry_after(later) or 0) <= 90


def test_sent_signal_and_a_broken_receiver_do_not_break_the_batch(caplog: pytest.LogCaptureFixture) -> None:
    configure(3)
    sent: list[int] = []

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("receiver bug")

    notification_sent.connect(lambda **kw: sent.append(kw["delivery"].pk), weak=False, dispatch_uid="t-sent")
    notification_sent.connect(broken, weak=False, dispatch_uid="t-broken")
    try:
        Article.objects.create(title="signals")
    finally:
        notification_sent.disconnect(dispatch_uid="t-sent")
        notification_sent.disconnect(dispatch_uid="t-broken")
    assert sorted(sent) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert "receiver bug" in caplog.text


def test_outbox_log_lines_carry_trigger_subscription_and_delivery(caplog: pytest.LogCaptureFixture) -> None:
    setup = configure(1, options={"fail_times": 1})
    caplog.set_level(logging.INFO, logger="django_signal_notifier.outbox")
    Article.objects.create(title="logged")
    delivery = Delivery.objects.get()
    _make_due(delivery)
    deliver_due()
    records = [r for r in caplog.records if r.name == "django_signal_notifier.outbox"]
    assert [r.levelname for r in records] == ["WARNING", "INFO"]  # failed, then sent
    for record in records:
        assert record.delivery_id == delivery.pk  # type: ignore[attr-defined]
        assert record.trigger_id == setup.trigger.pk  # type: ignore[attr-defined]
        assert record.subscription_id == setup.subscription.pk  # type: ignore[attr-defined]
        assert record.channel == "DurableRecordingMessenger"  # type: ignore[attr-defined]


def test_a_worker_that_lost_its_claim_does_not_record_an_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    from django_signal_notifier.delivery.outbox import claim, send_claimed

    configure(1)
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    Article.objects.create(title="leased")
    claimed, token = claim()
    assert len(claimed) == 1
    Delivery.objects.update(claim_token="someone-else")  # the lease expired and another worker took it
    assert send_claimed(claimed, token) == {"lost_claim": 1}
    assert Delivery.objects.get().status == DeliveryStatus.SENDING


def test_a_claim_skips_the_rows_another_worker_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL, MariaDB ≥ 10.6, MySQL 8): a worker takes the
    due rows nobody holds, at once, instead of waiting for another worker's transaction."""
    import threading
    import time

    from django.db import connections

    from django_signal_notifier.delivery.outbox import claim

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SKIPPED LOUDLY: no row locks here; runs on PostgreSQL and MariaDB (DSN_TEST_DB)")
    configure(4)
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    Article.objects.create(title="shared")
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    held, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk__in=ids[:2]).values_list("pk", flat=True))
                held.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(timeout=10)
        started = time.monotonic()
        claimed, _ = claim()
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join(timeout=30)
    assert sorted(delivery.pk for delivery in claimed) == ids[2:]
    assert waited < 5, waited


def _make_due(delivery: Delivery) -> None:
    """Advance time for one delivery: its next attempt is now."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_messenger_that_reports_no_result_leaves_nothing_stuck(monkeypatch: pytest.MonkeyPatch) -> None:
    from django_signal_notifier.messengers.base import Messenger
    from tests.support.recording import DurableRecordingMessenger as RecordingMessenger

    def lossy(self: Any, messages: Any) -> Any:
        yield from list(Messenger.send_batch(self, messages))[:1]  # sends all, reports only the first

    configure(3)
    monkeypatch.setattr(RecordingMessenger, "send_batch", lossy)
    Article.objects.create(title="lossy")
    assert statuses_now() == {"sent": 1, "failed": 2}  # retried later: at-least-once, never stuck
    assert set(Delivery.objects.filter(status="failed").values_list("last_error", flat=True)) == {
        "the messenger reported no result"
    }


def test_deliveries_are_enqueued_in_fixed_size_batches(settings: Any) -> None:
    from django_signal_notifier.taskapi import task_backends

    settings.TASKS = {
        "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
        "dummy": {"BACKEND": f"{TASK_BACKENDS}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "dummy", "DELIVERY_BATCH_SIZE": 10}
    configure(25)
    Article.objects.create(title="batched")
    [fan_out] = task_backends["dummy"].results  # the request enqueues the fan-out; a worker runs it:
    fan_out.task.call(*fan_out.args)
    results = [r for r in task_backends["dummy"].results if r.task.name == "deliver"]
    assert [len(result.args[0]) for result in results] == [10, 10, 5]
    assert sorted(i for result in results for i in result.args[0]) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )
    assert statuses_now() == {"pending": 25}  # the request path only wrote rows and enqueued


def statuses_now() -> dict[str, int]:
    from collections import Counter

    return dict(Counter(Delivery.objects.values_list("status", flat=True)))


def test_a_slow_batch_renews_its_lease_while_it_makes_progress(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django_signal_notifier.delivery import lease
    from tests.support.recording import DurableRecordingMessenger as RecordingMessenger

    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "CLAIM_TIMEOUT": 60.0}
    configure(3)
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    Article.objects.create(title="slow channel")
    clock = [1000.0]
    monkeypatch.setattr(lease, "monotonic", lambda: clock[0])
    leases: list[list[Any]] = []
    original = RecordingMessenger.send_message

    def slow(self: Any, message: Any) -> None:
        leases.append(
            list(Delivery.objects.filter(status="sending").order_by("pk").values_list("claimed_until", flat=True))
        )
        original(self, message)
        clock[0] += 25.0  # each send takes 25 s of a 60 s lease

    monkeypatch.setattr(RecordingMessenger, "send_message", slow)
    assert deliver_due() == {"sent": 3}
    # 1st send: the claim's lease; after 25 s (> 60/3) the remaining claims were extended.
    assert len(leases) == 3
    assert leases[1][0] > leases[0][1]
    assert leases[2][0] > leases[1][0]


def test_a_fast_batch_does_not_renew_its_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(20)
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    Article.objects.create(title="fast channel")
    with CaptureQueriesContext(connection) as queries:
        assert deliver_due() == {"sent": 20}
    renewals = [
        q["sql"]
        for q in queries.captured_queries
        if 'SET "claimed_until" = ' in q["sql"] and 'SET "claimed_until" = NULL' not in q["sql"]
    ]
    assert renewals == []


def test_a_delivery_that_kills_its_worker_every_time_ends_dead(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "MAX_ATTEMPTS": 3}
    configure(2)
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    Article.objects.create(title="poison")
    poison, healthy = Delivery.objects.order_by("pk")
    expired = timezone.now() - timedelta(seconds=1)
    Delivery.objects.filter(pk=poison.pk).update(status="sending", attempts=3, claimed_until=expired, claim_token="x")
    Delivery.objects.filter(pk=healthy.pk).update(status="sending", attempts=2, claimed_until=expired, claim_token="y")
    assert deliver_due() == {"sent": 1}
    poison.refresh_from_db()
    assert poison.status == DeliveryStatus.DEAD
    assert "stopped before recording an outcome" in poison.last_error
    assert Delivery.objects.get(pk=healthy.pk).status == DeliveryStatus.SENT
    assert SentRecord.objects.get().delivery_id == healthy.pk


def test_a_channel_that_cannot_connect_fails_the_batch_for_a_retry(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.recording import DurableRecordingMessenger as RecordingMessenger

    def refuse(self: Any) -> Any:
        raise ConnectionRefusedError("smtp down")

    setup = configure(2)
    monkeypatch.setattr(RecordingMessenger, "connection", refuse)
    Article.objects.create(title="offline")
    assert statuses_now() == {"failed": 2}
    assert set(Delivery.objects.values_list("last_error", flat=True)) == {"ConnectionRefusedError: smtp down"}
    mid_batch = [r for r in caplog.records if "failed mid-batch" in r.getMessage()]
    assert len(mid_batch) == 2
    assert {r.trigger_id for r in mid_batch} == {setup.trigger.pk}  # type: ignore[attr-defined]


def test_the_redrive_task_sends_what_is_due(monkeypatch: pytest.MonkeyPatch) -> None:
    from django_signal_notifier.delivery.tasks import deliver, redrive

    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    configure(4)
    Article.objects.create(title="periodic")
    first = Delivery.objects.order_by("pk").first()
    assert first is not None
    assert deliver.enqueue([first.pk]).return_value == {"sent": 1}
    assert deliver.enqueue([first.pk]).return_value == {}  # already sent: nothing twice
    assert redrive.enqueue(limit=2).return_value == {"sent": 2}
    assert redrive.enqueue().return_value == {"sent": 1}
    assert statuses_now() == {"sent": 4}
