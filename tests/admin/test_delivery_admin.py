"""The delivery log in the admin: filters, search, errors, retry/resend, counts per trigger."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus
from tests.support.delivery_setup import configure
from tests.testapp.models import Article, SentRecord

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "admin:django_signal_notifier_delivery_changelist"


@pytest.fixture
def staff() -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.test", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_a_dead_delivery_shows_its_error_in_the_changelist_and_change_page(staff: Client) -> None:
    configure(1, options={"permanent": True})
    Article.objects.create(title="bounced")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    page = staff.get(reverse(CHANGELIST), {"status__exact": "dead"}).content.decode()
    assert "no such mailbox: post_save-reader-0" in page
    assert "dead (gave up)" in page
    detail = staff.get(reverse("admin:django_signal_notifier_delivery_change", args=[delivery.pk]))
    assert detail.status_code == 200
    assert "no such mailbox: post_save-reader-0" in detail.content.decode()


def test_filters_and_search(staff: Client) -> None:
    setup = configure(2)
    Article.objects.create(title="filtered")
    first = setup.users[0]
    url = reverse(CHANGELIST)
    for params, expected in [
        ({"status__exact": "sent"}, 2),
        ({"status__exact": "failed"}, 0),
        ({"channel": "DurableRecordingMessenger"}, 2),
        ({"trigger__id__exact": setup.trigger.pk}, 2),
        ({"recipient__id__exact": first.pk}, 1),
        ({"q": first.username}, 1),
        ({"created_at__year": timezone.now().year}, 2),
        ({"created_at__year": 2000}, 0),
    ]:
        response = staff.get(url, params)
        assert response.status_code == 200, params
        assert response.context["cl"].result_count == expected, params


def test_retry_action_makes_failed_and_dead_deliveries_due_and_sends_them(staff: Client) -> None:
    setup = configure(2, options={"permanent": True})
    Article.objects.create(title="fixed later")
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DEAD}
    setup.backend.options = {}
    setup.backend.save()
    ids = list(Delivery.objects.values_list("pk", flat=True))
    response = staff.post(reverse(CHANGELIST), {"action": "retry", "_selected_action": ids}, follow=True)
    assert "2 deliveries queued again." in response.content.decode()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert SentRecord.objects.count() == 2
    assert all(d.reason == "" and d.attempts == 1 for d in Delivery.objects.all())  # a fresh attempt budget


def test_retry_leaves_sent_deliveries_alone(staff: Client) -> None:
    configure(1)
    Article.objects.create(title="done")
    response = staff.post(
        reverse(CHANGELIST), {"action": "retry", "_selected_action": [Delivery.objects.get().pk]}, follow=True
    )
    assert "1 selected deliveries were left alone" in response.content.decode()
    assert SentRecord.objects.count() == 1


def test_resend_action_sends_a_sent_delivery_again(staff: Client) -> None:
    configure(1)
    Article.objects.create(title="again")
    delivery = Delivery.objects.get()
    response = staff.post(reverse(CHANGELIST), {"action": "resend", "_selected_action": [delivery.pk]}, follow=True)
    assert "1 deliveries will be sent again." in response.content.decode()
    assert list(SentRecord.objects.values_list("delivery_id", flat=True)) == [delivery.pk, delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_trigger_page_counts_deliveries_per_status(staff: Client, monkeypatch: Any) -> None:
    setup = configure(3, options={"fail_times": 1})
    Article.objects.create(title="counted")
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        status=DeliveryStatus.DEAD
    )
    page = staff.get(reverse("admin:django_signal_notifier_trigger_change", args=[setup.trigger.pk])).content.decode()
    assert '<li class="dsn-count-failed">' in page
    assert "failed (will retry)</a>: 2</li>" in page
    assert "dead (gave up)</a>: 1</li>" in page
    assert "sent</a>: 0</li>" in page
    assert f"?trigger__id__exact={setup.trigger.pk}&amp;status__exact=failed" in page


def _changelist_queries(staff: Client, recipients: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    configure(recipients, options={"permanent": True})
    Article.objects.create(title=f"{recipients} readers")
    with CaptureQueriesContext(connection) as queries:
        response = staff.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(queries)


def test_the_delivery_log_page_costs_the_same_for_3_or_30_rows(staff: Client) -> None:
    from django_signal_notifier.models import Backend, Trigger

    small = _changelist_queries(staff, 3)
    Delivery.objects.all().delete()
    Trigger.objects.all().delete()
    Backend.objects.all().delete()
    get_user_model().objects.exclude(username="admin").delete()
    large = _changelist_queries(staff, 30)
    assert Delivery.objects.count() == 30
    assert small == large
