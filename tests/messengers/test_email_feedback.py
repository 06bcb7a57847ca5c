"""Email feedback: django-anymail's test backend sends, its real tracking signal reports, deliveries and suppressions follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_signal_notifier.config.declare import Declarer
from django_signal_notifier.models import Delivery, DeliveryStatus, Suppression

pytestmark = pytest.mark.django_db


@pytest.fixture
def anymail_backend(settings: Any) -> None:
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {}


def report(event_type: str, message_id: str | None = None, **fields: Any) -> None:
    """What an anymail webhook view does once it parsed a provider's callback."""
    event = AnymailTrackingEvent(event_type=event_type, message_id=message_id, **fields)
    tracking.send(sender=object, event=event, esp_name="Postmark")


def test_a_hard_bounce_suppresses_the_address_and_later_deliveries_are_skipped(
    anymail_backend: None, make_user: Any, subscribe: Any, publish: Any
) -> None:
    bouncing, fine = make_user(email="Gone@Example.org"), make_user(email="fine@example.org")
    subscribe("EmailMessenger", [bouncing, fine])
    first = {d.recipient_id: d for d in publish("First")}
    assert {d.status for d in first.values()} == {DeliveryStatus.SENT}
    sent_id = first[bouncing.pk].provider_message_id
    assert sent_id != ""  # recorded from anymail_status at send
    assert sent_id != first[fine.pk].provider_message_id

    report(
        "bounced",
        sent_id,
        recipient="gone@example.org",
        description="The server was unable to deliver your message",
        mta_response="550 5.1.1 User unknown",
    )

    bounced = Delivery.objects.get(pk=first[bouncing.pk].pk)
    assert bounced.provider_status == "bounced"
    assert "550 5.1.1 User unknown" in bounced.last_error
    [suppression] = Suppression.objects.all()
    assert (suppression.channel, suppression.address, suppression.delivery_id) == (
        "email",
        "gone@example.org",
        bounced.pk,
    )
    assert suppression.reason.startswith("Postmark reported bounced")

    mail.outbox.clear()
    second = {d.recipient_id: d for d in publish("Second")}
    assert second[bouncing.pk].status == DeliveryStatus.SKIPPED
    assert second[bouncing.pk].reason.startswith("address suppressed: Postmark reported bounced")
    assert second[fine.pk].status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [["fine@example.org"]]


def test_the_delivery_id_travels_in_metadata_and_a_header_and_matches_a_complaint_without_a_message_id(
    anymail_backend: None, make_user: Any, subscribe: Any, publish: Any
) -> None:
    user = make_user(email="angry@example.org")
    subscribe("EmailMessenger", [user])
    [delivery] = publish()
    [sent] = mail.outbox
    assert sent.anymail_test_params["metadata"] == {"signal_notifier_delivery": str(delivery.pk)}
    assert sent.extra_headers["X-Signal-Notifier-Delivery"] == str(delivery.pk)

    report("complained", None, recipient="angry@example.org", metadata={"signal_notifier_delivery": str(delivery.pk)})

    assert Delivery.objects.get(pk=delivery.pk).provider_status == "complained"
    assert Suppression.objects.active().filter(address="angry@example.org", channel="email").exists()


def test_tracking_events_update_the_status_and_never_step_back(
    anymail_backend: None, make_user: Any, subscribe: Any, publish: Any
) -> None:
    subscribe("EmailMessenger", [make_user()])
    [delivery] = publish()
    clicked_at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)

    report("delivered", delivery.provider_message_id)
    assert Delivery.objects.get(pk=delivery.pk).provider_status == "delivered"
    report("clicked", delivery.provider_message_id, timestamp=clicked_at, click_url="https://x.test")
    report("opened", delivery.provider_message_id, timestamp=clicked_at - timedelta(minutes=1))  # arrives late

    row = Delivery.objects.get(pk=delivery.pk)
    assert (row.provider_status, row.provider_status_at) == ("clicked", clicked_at)
    assert row.status == DeliveryStatus.SENT
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("event_type", "fields"),
    [
        ("deferred", {}),  # a soft bounce: the provider retries
        ("rejected", {"reject_reason": "other"}),
        ("unknown", {}),
    ],
)
def test_soft_failures_do_not_suppress(
    anymail_backend: None, make_user: Any, subscribe: Any, publish: Any, event_type: str, fields: dict[str, Any]
) -> None:
    subscribe("EmailMessenger", [make_user()])
    [delivery] = publish()
    report(event_type, delivery.provider_message_id, **fields)
    assert not Suppression.objects.exists()


def test_a_rejection_for_an_invalid_address_suppresses(
    anymail_backend: None, make_user: Any, subscribe: Any, publish: Any
) -> None:
    subscribe("EmailMessenger", [make_user(email="nobody@example.org")])
    [delivery] = publish()
    report("rejected", delivery.provider_message_id, reject_reason="invalid")
    assert Delivery.objects.get(pk=delivery.pk).provider_status == "rejected"
    assert Suppression.objects.get().address == "nobody@example.org"  # the delivery's address


def test_events_about_the_projects_own_emails_are_ignored(anymail_backend: None) -> None:
    report("bounced", "not-ours", recipient="someone@example.org")
    report("bounced", None, recipient="someone@example.org", metadata={"signal_notifier_delivery": "99999"})
    assert not Suppression.objects.exists()


def test_the_admin_lifts_a_suppression_and_the_address_is_mailed_again(
    anymail_backend: None, make_user: Any, subscribe: Any, publish: Any, admin_client: Any
) -> None:
    user = make_user(email="back@example.org")
    subscribe("EmailMessenger", [user])
    [delivery] = publish("First")
    report("bounced", delivery.provider_message_id)
    suppression = Suppression.objects.get()

    changelist = reverse("admin:django_signal_notifier_suppression_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "back@example.org" in page and "Postmark reported bounced" in page
    response = admin_client.post(changelist, {"action": "lift", "_selected_action": [suppression.pk]}, follow=True)
    assert "1 suppression lifted." in response.content.decode()

    suppression.refresh_from_db()
    assert suppression.lifted_at is not None
    assert publish("Second")[0].status == DeliveryStatus.SENT
    assert admin_client.get(changelist + "?state=active").context["cl"].result_count == 0


def test_the_suppression_lookup_is_one_query_per_batch_and_none_for_other_channels(
    anymail_backend: None, make_user: Any, publish: Any
) -> None:
    users = [make_user() for _ in range(6)]
    declarer = Declarer()
    trigger = declarer.trigger("article-saved", verb="post_save", model="testapp.Article")
    backends = [declarer.backend(f"by-{name}", messenger=name) for name in ("EmailMessenger", "TestMessenger")]
    declarer.subscription("readers", trigger=trigger, backends=backends, users=users)
    with CaptureQueriesContext(connection) as queries:
        deliveries = publish()
    assert len(deliveries) == 12
    lookups = [q["sql"] for q in queries.captured_queries if Suppression._meta.db_table in q["sql"]]
    assert len(lookups) == 1  # the email batch's; the test channel never looks
