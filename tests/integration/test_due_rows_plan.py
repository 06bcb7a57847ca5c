"""The sweeper's due-rows query stays an index scan with 1,000,000 scheduled deliveries (PostgreSQL).

A million delayed steps (pending, due in the future) are written with one ``INSERT … SELECT
generate_series``; the claim's query (what ``redrive`` and every ``deliver`` task run) is
EXPLAINed and must read the due index, not the table, and return at once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from tests.conftest import require_service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]
SCHEDULED = 1_000_000


def insert_scheduled(count: int, event: Event) -> None:
    """``count`` pending deliveries due between one hour and one week from now, in one statement."""
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (event_id, channel, address, sent_to, status, reason, attempts, next_attempt_at,
                claim_token, last_error, content, language, digest_key, cancel_key, has_fallback, send_if,
                created_at, updated_at, provider_message_id, provider_status)
            SELECT %s, 'EmailMessenger', '', '', %s, '', 0, now() + interval '1 hour' + (i %% 604800) * interval '1 second',
                '', '', '{{}}', '', '', '', false, '', now(), now(), '', ''
            FROM generate_series(1, %s) AS i
            """,
            [event.pk, DeliveryStatus.PENDING.value, count],
        )
        cursor.execute(f"ANALYZE {table}")


def claim_query() -> str:
    """The SQL of the claim's due-rows query (outbox.claim), as a worker runs it."""
    due = Delivery.objects.due(timezone.now()).order_by("pk").values_list("pk", flat=True)[:100]
    return due.explain()


def test_the_due_rows_query_is_an_index_scan_with_a_million_scheduled_rows() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's: this test runs in the PostgreSQL run (DSN_TEST_DB=postgres)")
    event = Event.objects.create(verb="post_save", snapshot={})
    insert_scheduled(SCHEDULED, event)
    assert Delivery.objects.filter(next_attempt_at__gt=timezone.now() + timedelta(minutes=59)).count() == SCHEDULED

    plan = claim_query()

    assert "dsn_delivery_due" in plan, plan
    assert "Seq Scan" not in plan, plan
    started = time.perf_counter()
    assert list(Delivery.objects.due(timezone.now()).order_by("pk").values_list("pk", flat=True)[:100]) == []
    assert time.perf_counter() - started < 0.05, plan
