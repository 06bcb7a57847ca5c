"""Twilio status callbacks: a signed POST updates the delivery by its MessageSid; STOP and dead numbers are suppressed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse

from django_signal_notifier.feedback.twilio import twilio_signature
from django_signal_notifier.models import Delivery, DeliveryStatus, Suppression

pytestmark = pytest.mark.django_db
SID = "AC0123456789abcdef0123456789abcdef"
AUTH = "authtoken0123456789abcdef012345"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
CALLBACK = "https://site.example/notifier/feedback/twilio/status/"


@pytest.fixture(autouse=True)
def feedback_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.messengers.feedback_urls"


@pytest.fixture
def twilio(api_server: Any, settings: Any) -> Any:
    settings.SIGNAL_NOTIFIER = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": AUTH,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_API_URL": api_server.url_for("/"),
        "TWILIO_PHONE_NUMBER": "last_name",
        "TWILIO_STATUS_CALLBACK_URL": CALLBACK,
    }
    return api_server


def signed(params: dict[str, str], url: str = CALLBACK, token: str = AUTH) -> str:
    """The signature as Twilio documents it, computed here independently of the package."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def callback(params: dict[str, str], signature: str | None = None) -> Any:
    return Client().post(
        reverse("signal_notifier_twilio_status"),
        params,
        HTTP_X_TWILIO_SIGNATURE=signed(params) if signature is None else signature,
    )


def test_the_signature_matches_twilios_published_examples() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    for caller, expected in (
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
    ):
        params = {
            "CallSid": "CA1234567890ABCDE",
            "Caller": caller,
            "Digits": "1234",
            "From": caller,
            "To": "+18005551212",
        }
        assert twilio_signature(url, params.items(), "12345") == expected


def test_the_sid_is_recorded_and_a_signed_callback_updates_the_delivery(
    twilio: Any, make_user: Any, subscribe: Any, publish: Any
) -> None:
    twilio.expect_request(PATH, method="POST").respond_with_json({"sid": "SM0001", "status": "queued"}, status=201)
    subscribe("TwilioSMSMessenger", [make_user(last_name="+14155550123")])
    [delivery] = publish()
    assert delivery.provider_message_id == "SM0001"
    form = parse_qs(twilio.log[0][0].get_data(as_text=True))
    assert form["StatusCallback"] == [CALLBACK]

    params = {"MessageSid": "SM0001", "MessageStatus": "delivered", "To": "+14155550123", "AccountSid": SID}
    assert callback(params).status_code == 204

    row = Delivery.objects.get(pk=delivery.pk)
    assert row.provider_status == "delivered"
    assert row.provider_status_at is not None


def test_an_unsigned_or_forged_callback_is_refused(twilio: Any, make_user: Any, subscribe: Any, publish: Any) -> None:
    twilio.expect_request(PATH).respond_with_json({"sid": "SM0002"}, status=201)
    subscribe("TwilioSMSMessenger", [make_user(last_name="+14155550123")])
    [delivery] = publish()
    params = {"MessageSid": "SM0002", "MessageStatus": "undelivered", "ErrorCode": "30005"}

    assert callback(params, signature="").status_code == 403
    assert callback(params, signature=signed(params, token="not-the-token")).status_code == 403
    assert callback(params, signature=signed({**params, "ErrorCode": "30001"})).status_code == 403
    assert Client().get(reverse("signal_notifier_twilio_status")).status_code == 405

    assert Delivery.objects.get(pk=delivery.pk).provider_status == ""
    assert not Suppression.objects.exists()


def test_a_stop_reply_suppresses_the_number_and_later_messages_are_skipped_without_a_request(
    twilio: Any, make_user: Any, subscribe: Any, publish: Any
) -> None:
    twilio.expect_request(PATH).respond_with_json({"sid": "SM0003"}, status=201)
    user = make_user(last_name="+14155550123")
    subscribe("TwilioSMSMessenger", [user])
    [delivery] = publish("First")

    params = {"MessageSid": "SM0003", "MessageStatus": "undelivered", "ErrorCode": "21610", "To": "+14155550123"}
    assert callback(params).status_code == 204

    row = Delivery.objects.get(pk=delivery.pk)
    assert row.provider_status == "undelivered"
    assert "error 21610" in row.last_error
    [suppression] = Suppression.objects.all()
    assert (suppression.channel, suppression.address) == ("sms", "+14155550123")

    [later] = publish("Second")
    assert later.status == DeliveryStatus.SKIPPED
    assert later.reason == "address suppressed: Twilio reported undelivered: error 21610"
    assert len(twilio.log) == 1  # Twilio was not asked again


def test_a_transient_failure_code_does_not_suppress(twilio: Any, make_user: Any, subscribe: Any, publish: Any) -> None:
    twilio.expect_request(PATH).respond_with_json({"sid": "SM0004"}, status=201)
    subscribe("TwilioSMSMessenger", [make_user(last_name="+14155550123")])
    publish()
    params = {"MessageSid": "SM0004", "MessageStatus": "failed", "ErrorCode": "30001"}  # queue overflow
    assert callback(params).status_code == 204
    assert not Suppression.objects.exists()


def test_without_a_configured_url_the_request_url_is_what_is_signed(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {"TWILIO_AUTH_TOKEN": AUTH}
    params = {"MessageSid": "SM404", "MessageStatus": "delivered"}
    url = "http://testserver" + reverse("signal_notifier_twilio_status")
    assert callback(params, signature=signed(params, url=url)).status_code == 204
    assert callback(params).status_code == 403  # signed for CALLBACK, received elsewhere


def test_without_an_auth_token_every_callback_is_refused(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {}
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert callback(params, signature=signed(params, token="")).status_code == 403
