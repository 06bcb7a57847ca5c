"""S8: workflow steps — writing a delayed step, and the sweep that finds due rows.

(a) One event to N e-mail-like recipients (a group; the benchmarks' ``NullMessenger``) whose
step is delayed by one hour, beside the same event written as pending deliveries today (an
immediate step whose deliver task is not run, so both leave N pending rows), and beside the
raw-Django reference of S3 (the Post insert and ``bulk_create`` of N 6-column rows).
(b) The sweep (``deliver_due()``, what ``redrive`` and each ``deliver`` task run) when nothing is
due, with M scheduled rows (pending, due within the week): written with one ``INSERT … SELECT``
over a generated series. Reference: the ORM's plainest query for due rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from benchmarks.benchapp.models import NoteRow, Post
from benchmarks.harness import (
    Result,
    Settings,
    compare,
    count_queries,
    make_users,
    notify_on_post,
    receivers_disconnected,
    refresh_index,
)

NAME = "S8"
TITLE = "workflow steps: a delayed step for N recipients; the sweep with M scheduled rows"
TARGET = "delayed ≤ 1.3× reference (S3) and ≤ 1.05× pending today, no more queries; empty sweep ≤ 2 ms on the due index"
HOUR = 3600


@contextmanager
def deliver_task_not_run() -> Iterator[None]:
    """Leave the written deliveries pending (as a queueing backend would until a worker runs)."""
    from django_signal_notifier.delivery import tasks

    enqueue = tasks.enqueue_deliveries
    tasks.enqueue_deliveries = lambda ids: None  # type: ignore[assignment]
    try:
        yield
    finally:
        tasks.enqueue_deliveries = enqueue  # type: ignore[assignment]


def run(settings: Settings) -> list[Result]:

    size = settings.pick(10_000, 300)
    users = make_users(size, "s8_")
    group = Group.objects.create(name="s8-audience")
    group.user_set.set(users)
    subscription = notify_on_post("NullMessenger", groups=[group])
    backend = subscription.backends.get()

    def save() -> None:
        with transaction.atomic():
            Post.objects.create(title="Hello")

    def reference() -> None:
        now = timezone.now()
        with transaction.atomic():
            post = Post.objects.create(title="Hello")
            NoteRow.objects.bulk_create(
                [
                    NoteRow(recipient_id=u.pk, verb="post_save", title=f"created post “{post}”", created_at=now)
                    for u in users
                ]
            )

    delayed_steps = {str(backend.pk): {"delay": HOUR}}

    @contextmanager
    def steps_of_today() -> Iterator[None]:
        """The same subscription with an immediate step: pending deliveries as written before workflows."""
        subscription.steps = {}
        subscription.save()
        refresh_index()
        try:
            yield
        finally:
            subscription.steps = delayed_steps
            subscription.save()
            refresh_index()

    subscription.steps = delayed_steps
    subscription.save()
    refresh_index()
    rounds = settings.pick(5, 2)
    budget = settings.pick(90, 5)
    with deliver_task_not_run():
        engine_s, reference_s, measured = compare(
            save, reference, rounds=rounds, reference_context=receivers_disconnected, budget=budget
        )
        refresh_index()  # the index's periodic configuration check falls outside the counted save
        delayed_q = count_queries(save)
        with receivers_disconnected():
            reference_q = count_queries(reference)
        against_reference = Result(
            NAME,
            f"delayed step (1 h), {size:,} recipients",
            TARGET,
            engine_s,
            reference_s,
            "Post insert + bulk_create of N 6-column rows",
            delayed_q,
            reference_q,
        )
        against_reference.extra = {"recipients": size, "rounds": measured}
        against_reference.met = (against_reference.ratio or 0.0) <= 1.3  # S3's target for the same write
        engine_s, today_s, measured = compare(
            save, save, rounds=rounds, reference_context=steps_of_today, budget=budget
        )
        with steps_of_today():
            today_q = count_queries(save)
    against_today = Result(
        NAME,
        f"delayed step (1 h) vs pending deliveries today, {size:,} recipients",
        TARGET,
        engine_s,
        today_s,
        "the same event with an immediate step (pending rows, deliver task not run)",
        delayed_q,
        today_q,
    )
    against_today.extra = {"recipients": size, "rounds": measured}
    against_today.met = (against_today.ratio or 0.0) <= 1.05 and delayed_q.work <= today_q.work
    results = [against_reference, against_today]
    results.append(_sweep(settings))
    return results


def _sweep(settings: Settings) -> Result:
    from django_signal_notifier.delivery.outbox import deliver_due
    from django_signal_notifier.models import Delivery, Event

    scheduled = settings.pick(1_000_000 if connection.vendor == "postgresql" else 100_000, 2_000)
    Delivery.objects.all().delete()
    event = Event.objects.create(verb="post_save", snapshot={})
    _insert_scheduled(scheduled, event.pk)

    def sweep() -> None:
        if deliver_due():
            raise AssertionError("S8: the sweep found due rows; none should be")

    def plainest() -> None:
        list(
            Delivery.objects.filter(status="pending", next_attempt_at__lte=timezone.now()).values_list("pk", flat=True)[
                :100
            ]
        )

    engine_s, reference_s, measured = compare(sweep, plainest, rounds=settings.pick(50, 5), budget=settings.pick(20, 3))
    result = Result(
        NAME,
        f"sweep, nothing due, {scheduled:,} scheduled rows",
        TARGET,
        engine_s,
        reference_s,
        "SELECT … WHERE status = pending AND due ≤ now LIMIT 100",
        count_queries(sweep),
        count_queries(plainest),
    )
    due = Delivery.objects.due(timezone.now()).order_by("pk").values_list("pk", flat=True)[:100]
    plan = due.explain()
    result.extra = {"scheduled_rows": scheduled, "rounds": measured, "sweep_ms": engine_s * 1000, "plan": plan}
    if connection.vendor == "postgresql":  # the server's own time, apart from the round trips of a loaded machine
        executed = re.search(r"Execution Time: ([0-9.]+) ms", due.explain(analyze=True))
        result.extra["due_query_server_ms"] = float(executed.group(1)) if executed else None
    result.met = engine_s <= 0.002 and "dsn_delivery_due" in plan  # the due index, on both databases
    return result


def _insert_scheduled(count: int, event_id: Any) -> None:
    """``count`` pending deliveries due between one hour and one week from now: one statement."""
    from django_signal_notifier.models import Delivery

    table = connection.ops.quote_name(Delivery._meta.db_table)
    start = timezone.now() + timedelta(hours=1)
    if connection.vendor == "postgresql":
        series = "SELECT i FROM generate_series(1, %s) AS s(i)"
        due = "%s::timestamptz + (i %% 604800) * interval '1 second'"
    else:  # SQLite: a recursive series; times as ISO text, as Django stores them there
        series = "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) SELECT i FROM s"
        due = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '+' || (i %% 604800) || ' seconds')"
    when = start if connection.vendor == "postgresql" else start.strftime("%Y-%m-%d %H:%M:%S")
    sql = f"""
        INSERT INTO {table} (event_id, channel, address, sent_to, status, reason, attempts, next_attempt_at,
            claim_token, last_error, content, language, digest_key, cancel_key, has_fallback, send_if,
            created_at, updated_at, provider_message_id, provider_status)
        SELECT %s, 'NullMessenger', '', '', 'pending', '', 0, {due}, '', '', '{{}}', '', '', '', false, '',
            %s, %s, '', ''
        FROM ({series}) AS series
    """
    now = timezone.now() if connection.vendor == "postgresql" else timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    with connection.cursor() as cursor:
        cursor.execute(sql, [event_id, when, now, now, count])
    if connection.vendor == "postgresql":  # what autovacuum does (the earlier cases' rows are gone); SQLite keeps
        with connection.cursor() as cursor:  # no statistics unless told to
            cursor.execute(f"VACUUM ANALYZE {table}")
