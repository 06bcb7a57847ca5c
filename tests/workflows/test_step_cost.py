"""S3-style cost of a delayed step: the same row as a pending delivery, written by the same statements."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.harness import TRANSACTION_CONTROL
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Subscription
from tests.fanout.test_query_counts import make_users, subscribe
from tests.support.taskpaths import TASK_BACKENDS
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
RECIPIENTS = 1000


def fan_out_work(capture: Any) -> list[str]:
    """The statements of one event's fan-out, run as a worker would run the enqueued task."""
    from django_signal_notifier.taskapi import task_backends

    trigger_index.invalidate()
    trigger_index.refresh()
    task_backends["dummy"].clear()
    with capture(execute=True):
        Article.objects.create(title="cost")
    [fan_out] = [r for r in task_backends["dummy"].results if r.task.name != "deliver"]
    with CaptureQueriesContext(connection) as captured, capture(execute=True):
        fan_out.task.call(*fan_out.args)
    return [q["sql"] for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


def test_a_delayed_step_for_1000_recipients_costs_the_statements_of_an_immediate_one(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
        "dummy": {"BACKEND": f"{TASK_BACKENDS}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {"CONFIG_CHECK_INTERVAL": 3600, "TASK_BACKEND": "dummy"}
    group = Group.objects.create(name="readers")
    group.user_set.set(make_users(RECIPIENTS, "cost_"))
    subscription = subscribe(Article, groups=[group], messenger="EmailRecordingMessenger")

    immediate = fan_out_work(django_capture_on_commit_callbacks)
    Subscription.objects.filter(pk=subscription.pk).update(
        steps={str(subscription.backends.get().pk): {"delay": 3600, "only_if_unread": True}}
    )
    delayed = fan_out_work(django_capture_on_commit_callbacks)

    assert len(delayed) == len(immediate), (immediate, delayed)
    assert delivery_inserts(delayed) == delivery_inserts(immediate) >= 1
    latest = Event.objects.latest("pk")
    rows = Delivery.objects.filter(event=latest)
    assert rows.count() == RECIPIENTS
    assert set(rows.values_list("status", "send_if")) == {(DeliveryStatus.PENDING, "unread")}


def delivery_inserts(sql: list[str]) -> int:
    table = Delivery._meta.db_table.upper()
    # "INSERT INTO <table>" however the database quotes names (MariaDB's starts with WITH v AS …)
    return sum(1 for statement in sql if re.search(rf'INSERT INTO [`"]?{table}[`"]?', statement.upper()))


def test_the_sweep_with_nothing_due_among_scheduled_steps_is_two_statements(settings: Any) -> None:
    """S8's sweep: the abandoned-claims UPDATE and the due-rows query, whatever the number of scheduled rows."""
    event = Event.objects.create(verb="post_save", snapshot={})
    later = timezone.now() + timedelta(hours=1)
    Delivery.objects.bulk_create(
        [Delivery(event=event, channel="EmailRecordingMessenger", next_attempt_at=later) for _ in range(500)]
    )
    with CaptureQueriesContext(connection) as captured:
        assert deliver_due() == {}
    work = [q["sql"] for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    assert len(work) == 2, work
    assert work[0].upper().startswith("UPDATE") and "SELECT" in work[1].upper()
