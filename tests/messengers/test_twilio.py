"""TwilioSMSMessenger against a real HTTP server standing in for Twilio's REST API."""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs

import pytest

from django_signal_notifier.messengers import Message, TwilioSMSMessenger
from django_signal_notifier.messengers.addresses import mask_phone, mask_phone_numbers
from django_signal_notifier.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db
SID = "AC0123456789abcdef0123456789abcdef"
AUTH = "authtoken0123456789abcdef012345"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"


@pytest.fixture
def twilio(api_server, settings):
    settings.SIGNAL_NOTIFIER = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": AUTH,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_API_URL": api_server.url_for("/"),
        "TWILIO_PHONE_NUMBER": "last_name",
    }
    return api_server


def test_pipeline_sends_an_sms_with_basic_auth(twilio, make_user, subscribe, publish):
    twilio.expect_request(PATH, method="POST").respond_with_json({"sid": "SM123", "status": "queued"}, status=201)
    user, no_phone = make_user(last_name="+14155550123"), make_user(last_name="")
    subscribe("TwilioSMSMessenger", [user, no_phone])

    deliveries = {d.recipient_id: d for d in publish("Gate opened")}

    assert deliveries[user.pk].status == DeliveryStatus.SENT
    assert deliveries[no_phone.pk].status == DeliveryStatus.SKIPPED
    assert deliveries[no_phone.pk].reason == f"user {no_phone.pk} has no phone number"
    [(request, _)] = twilio.log
    form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
    assert form["To"] == "+14155550123"
    assert form["From"] == "+15005550006"
    assert form["Body"].startswith("created article “Gate opened”\n")
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{SID}:{AUTH}".encode()).decode()


def test_invalid_number_is_dead_and_the_number_is_masked(twilio, make_user, subscribe, publish, caplog):
    twilio.expect_request(PATH).respond_with_json(
        {"code": 21211, "message": "The 'To' number +14155550199 is not a valid phone number.", "status": 400},
        status=400,
    )
    subscribe("TwilioSMSMessenger", [make_user(last_name="+14155550199")])

    with caplog.at_level(logging.DEBUG):
        [delivery] = publish()

    delivery = Delivery.objects.get(pk=delivery.pk)
    assert delivery.status == DeliveryStatus.DEAD
    assert "21211" in delivery.last_error
    assert "+1*******199" in delivery.last_error
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "4155550199" not in delivery.last_error + ours
    assert AUTH not in delivery.last_error + ours


def test_messaging_service_sender(twilio):
    twilio.expect_request(PATH).respond_with_json({"sid": "SM1"}, status=201)
    messenger = TwilioSMSMessenger({"from": "MG0123456789abcdef0123456789abcdef"})
    [result] = messenger.send_batch([Message(recipient=None, address="+14155550123", text="x")])
    assert result.ok
    form = parse_qs(twilio.log[0][0].get_data(as_text=True))
    assert form["MessagingServiceSid"] == ["MG0123456789abcdef0123456789abcdef"]
    assert "From" not in form


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (401, {"code": 20003, "message": "Authenticate"}, "dead"),
        (429, {"code": 20429, "message": "Too Many Requests"}, "failed"),
        (500, {"code": 20500, "message": "Internal Server Error"}, "failed"),
        (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, "dead"),
    ],
)
def test_error_classification(twilio, status, answer, expected):
    twilio.expect_request(PATH).respond_with_json(answer, status=status)
    [result] = TwilioSMSMessenger().send_batch([Message(recipient=None, address="+14155550123", text="x")])
    assert result.status == expected
    assert str(answer["code"]) in result.error


def test_a_number_that_is_not_e164_is_dead_without_a_request(twilio):
    [result] = TwilioSMSMessenger().send_batch([Message(recipient=None, address="0612345678", text="x")])
    assert result.status == "dead"
    assert "0612345678" not in result.error
    assert twilio.log == []


def test_masking():
    assert mask_phone("+14155550123") == "+1*******123"
    assert mask_phone("0612345678") == "*******678"
    assert mask_phone_numbers("To +1 415 555 0123 failed") == "To +1*******123 failed"


def test_options_are_validated():
    from django.core.exceptions import ValidationError

    TwilioSMSMessenger.validate_options({"from": "+15005550006"})
    with pytest.raises(ValidationError, match="E.164"):
        TwilioSMSMessenger.validate_options({"from": "555-1234"})
