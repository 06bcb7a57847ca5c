"""The delivery and event logs read like logs: the address a message went to, names not ids, indented JSON,
no Save button, no claim bookkeeping; the admin index lists the models in the order they are set up."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Subscription, Trigger
from tests.support.recording import DurableRecordingMessenger
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@example.test", "pw"))
    return client


def send_to(messenger: str, options: dict[str, Any] | None = None) -> Delivery:
    """Save an Article watched by a subscription of ``ada`` on ``messenger``; return its delivery."""
    DurableRecordingMessenger.attempts.clear()
    ada = get_user_model().objects.create_user("ada", email="ada@example.test")
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article), name="articles"
    )
    backend = Backend.objects.create(messenger=messenger, options=options or {})
    subscription = Subscription.objects.create(trigger=trigger, name="to ada")
    subscription.backends.add(backend)
    subscription.receiver_users.add(ada)
    Article.objects.create(title="Hello")
    return Delivery.objects.get()


def test_a_sent_email_records_the_address_it_went_to(mailoutbox: Any) -> None:
    delivery = send_to("EmailMessenger")
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_to == "ada@example.test" == mailoutbox[0].to[0]
    assert delivery.address == ""  # the recipient's own address is looked up again on a resend


@pytest.mark.parametrize("flush", [0, 1])
def test_batched_sends_record_each_rows_own_address(settings: Any, flush: int) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "SENT_FLUSH_SECONDS": flush}
    users = [get_user_model().objects.create_user(f"u{i}", email=f"u{i}@example.test") for i in range(3)]
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    backend = Backend.objects.create(messenger="EmailMessenger")
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(backend)
    subscription.receiver_users.add(*users)
    Article.objects.create(title="Hello")
    assert dict(Delivery.objects.values_list("recipient__username", "sent_to")) == {
        f"u{i}": f"u{i}@example.test" for i in range(3)
    }


def test_a_dead_delivery_records_the_address_it_was_tried_on() -> None:
    delivery = send_to("DurableRecordingMessenger", {"permanent": True})
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.sent_to == "ada"


def test_addresses_that_hold_secrets_are_not_recorded() -> None:
    delivery = send_to("WebhookMessenger", {"url": "http://127.0.0.1:9/hook-with-token"})
    assert delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.DEAD)
    assert delivery.sent_to == ""


def test_the_delivery_page_is_a_readable_log_row(staff: Client, mailoutbox: Any) -> None:
    delivery = send_to("EmailMessenger")
    page = staff.get(reverse("admin:django_signal_notifier_delivery_change", args=[delivery.pk])).content.decode()
    assert f"#{delivery.pk} EmailMessenger → ada (sent)" in page
    assert "ada@example.test" in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    for internal in ("Claimed until", "Claim token", "Next attempt", "Digest key"):
        assert internal not in page, internal
    assert "<dt>Subject</dt><dd>created article “Hello”</dd>" in page
    assert '<pre class="dsn-json">Hello ada,\n\ncreated article “Hello”.' in page  # the text as it reads
    assert "Show the HTML source" in page
    changelist = staff.get(reverse("admin:django_signal_notifier_delivery_changelist")).content.decode()
    assert "ada@example.test" in changelist


def test_a_failed_delivery_shows_when_it_is_tried_again(staff: Client) -> None:
    delivery = send_to("DurableRecordingMessenger", {"fail_times": 5})
    assert delivery.status == DeliveryStatus.FAILED
    page = staff.get(reverse("admin:django_signal_notifier_delivery_change", args=[delivery.pk])).content.decode()
    assert "Next attempt" in page and "Last error" in page


def test_the_event_page_is_a_readable_log_row(staff: Client, mailoutbox: Any) -> None:
    send_to("EmailMessenger")
    event = Event.objects.get()
    article = Article.objects.get()
    page = staff.get(reverse("admin:django_signal_notifier_event_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page
    assert f'href="/admin/testapp/article/{article.pk}/change/"' in page or "Hello" in page
    assert ">articles</a>" in page  # the matched trigger, by name
    assert '<pre class="dsn-json">{\n' in page
    for internal in ("Fan-out position", "Fan-out step"):
        assert internal not in page, internal


def test_the_admin_lists_the_models_in_the_order_they_are_set_up(staff: Client) -> None:
    response = staff.get(reverse("admin:index"))
    app = next(app for app in response.context["app_list"] if app["app_label"] == "django_signal_notifier")
    assert [model["object_name"] for model in app["models"]] == [
        "Dashboard",
        "Trigger",
        "Backend",
        "Subscription",
        "StoredTemplate",
        "Delivery",
        "Suppression",
        "Event",
        "Notification",
        "Preference",
        "Profile",
        "WebPushDevice",
        "ApiToken",
    ]
    other = next(app for app in response.context["app_list"] if app["app_label"] == "auth")
    assert [model["object_name"] for model in other["models"]] == ["Group", "User"]
    page = staff.get(reverse("admin:app_list", args=["django_signal_notifier"])).content.decode()
    assert page.index("Triggers") < page.index("Backends") < page.index("Subscriptions") < page.index("Deliveries")
