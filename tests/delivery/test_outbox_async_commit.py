"""The outbox's asynchronous commits on PostgreSQL stay in the outbox's own transactions."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from django_signal_notifier.delivery.outbox import claim, record_sent
from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from tests.support.factories import user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]  # synchronous_commit: PostgreSQL


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


@pytest.fixture
def delivery() -> Delivery:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting (DSN_TEST_DB=postgres runs this)")
    event = Event.objects.create(verb="post_save", snapshot={})
    return Delivery.objects.create(
        event=event, channel="c", recipient=user("alice"), claim_token="t", status=DeliveryStatus.SENDING
    )


def test_recording_and_claiming_leave_the_session_setting_alone(delivery: Delivery) -> None:
    assert record_sent("default", [delivery.pk], "t", timezone.now()) == 1
    assert synchronous_commit() == "on"
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, claim_token="")
    claimed, _token = claim()
    assert [d.pk for d in claimed] == [delivery.pk]
    assert synchronous_commit() == "on"


def test_a_callers_open_transaction_keeps_its_durable_commit(delivery: Delivery) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, claim_token="")
        claim()
        assert synchronous_commit() == "on"
    connection.set_autocommit(False)
    try:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claim_token="u")
        record_sent("default", [delivery.pk], "u", timezone.now())
        assert synchronous_commit() == "on"  # the caller's transaction, opened without atomic()
        connection.rollback()
    finally:
        connection.set_autocommit(True)
