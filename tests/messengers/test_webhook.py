"""WebhookMessenger: signed JSON to a real HTTP server; receivers verify the signature."""

from __future__ import annotations

import json
import time

import pytest
from django.core.exceptions import ValidationError

from django_signal_notifier.messengers import Message, WebhookMessenger, sign_webhook, verify_webhook_signature
from django_signal_notifier.models import DeliveryStatus

pytestmark = pytest.mark.django_db
SECRET = "whsec_0123456789abcdef0123456789"


def test_pipeline_posts_signed_json_that_verifies(api_server, make_user, subscribe, publish):
    api_server.expect_request("/hooks/in", method="POST").respond_with_data("", status=204)
    user = make_user(username="dora")
    subscribe("WebhookMessenger", [user], options={"url": api_server.url_for("/hooks/in"), "secret": SECRET})

    [delivery] = publish("Launch")

    assert delivery.status == DeliveryStatus.SENT
    [(request, _response)] = api_server.log
    body = request.get_data()
    payload = json.loads(body)
    assert payload["delivery"] == delivery.pk
    assert payload["event"] == delivery.event_id
    assert payload["verb"] == "post_save"
    assert payload["recipient"] == {"id": user.pk, "username": "dora"}
    assert payload["subject"] == "created article “Launch”"
    assert payload["url"].startswith("/articles/")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Signal-Notifier-Delivery"] == str(delivery.pk)
    timestamp = request.headers["X-Signal-Notifier-Timestamp"]
    signature = request.headers["X-Signal-Notifier-Signature"]
    assert signature.startswith("sha256=")
    assert abs(int(timestamp) - time.time()) < 60
    assert verify_webhook_signature(SECRET, body, timestamp, signature)
    # A tampered body, a wrong secret or a replayed old timestamp fail.
    assert not verify_webhook_signature(SECRET, body.replace(b"Launch", b"Lunch"), timestamp, signature)
    assert not verify_webhook_signature("another-secret-value", body, timestamp, signature)
    assert not verify_webhook_signature(SECRET, body, int(timestamp) + 1, signature)
    assert not verify_webhook_signature(SECRET, body, timestamp, signature, now=int(timestamp) + 301)
    assert verify_webhook_signature(SECRET, body, timestamp, signature, now=int(timestamp) + 299)


def test_the_setting_secret_signs_when_the_backend_has_none(api_server, settings):
    settings.SIGNAL_NOTIFIER = {"WEBHOOK_SECRET": SECRET}
    api_server.expect_request("/h").respond_with_data("ok")
    url = api_server.url_for("/h")
    [result] = WebhookMessenger({"url": url, "headers": {"X-Team": "blue"}}).send_batch(
        [Message(recipient=None, address=url, text="x")]
    )
    assert result.ok
    request = api_server.log[0][0]
    assert request.headers["X-Team"] == "blue"
    assert request.headers["X-Signal-Notifier-Signature"] == sign_webhook(
        SECRET, request.get_data(), request.headers["X-Signal-Notifier-Timestamp"]
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [(400, "dead"), (404, "dead"), (410, "dead"), (429, "failed"), (500, "failed"), (503, "failed"), (301, "dead")],
)
def test_error_classification(api_server, status, expected):
    api_server.expect_request("/h").respond_with_data("nope", status=status, headers={"Retry-After": "42"})
    url = api_server.url_for("/h")
    [result] = WebhookMessenger({"url": url, "secret": SECRET}).send_batch(
        [Message(recipient=None, address=url, text="x")]
    )
    assert result.status == expected
    assert f"HTTP {status}" in result.error
    if status in (429, 503):
        assert result.retry_after == 42


def test_options_are_validated():
    with pytest.raises(ValidationError, match="url"):
        WebhookMessenger.validate_options({})
    with pytest.raises(ValidationError, match="url"):
        WebhookMessenger.validate_options({"url": "ftp://example.org"})
    with pytest.raises(ValidationError, match="Unknown option"):
        WebhookMessenger.validate_options({"url": "https://example.org", "colour": "red"})
    WebhookMessenger.validate_options({"url": "https://example.org/h", "secret": "x", "headers": {}})


def test_the_documented_receiver_snippet_verifies(api_server, settings, rf):
    """The verification snippet of docs/channels/webhook.md, as a Django view."""
    from tests.messengers.webhook_receiver import receive

    settings.WEBHOOK_RECEIVER_SECRET = SECRET
    body = json.dumps({"subject": "hi"}).encode()
    timestamp = str(int(time.time()))
    good = rf.post(
        "/hook",
        data=body,
        content_type="application/json",
        headers={
            "X-Signal-Notifier-Timestamp": timestamp,
            "X-Signal-Notifier-Signature": sign_webhook(SECRET, body, timestamp),
        },
    )
    assert receive(good).status_code == 204
    tampered = rf.post(
        "/hook",
        data=body + b" ",
        content_type="application/json",
        headers={
            "X-Signal-Notifier-Timestamp": timestamp,
            "X-Signal-Notifier-Signature": sign_webhook(SECRET, body, timestamp),
        },
    )
    assert receive(tampered).status_code == 403


def test_secret_redaction_keeps_other_log_records_intact(caplog):
    import logging

    from django_signal_notifier.messengers.http import _registered_secrets

    _registered_secrets.add("sup3rsecretvalue")
    logger = logging.getLogger("httpx")
    with caplog.at_level(logging.INFO, logger="httpx"):
        logger.info("GET %s %d %r", "https://x/sup3rsecretvalue/y", 200, ("a", 1))
    assert caplog.records[-1].getMessage() == "GET https://x/***/y 200 ('a', 1)"


@pytest.mark.parametrize(
    ("secret", "receiver_key"),
    [
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),  # the spec's form
        ("a-plain-shared-secret-of-32-chars", b"a-plain-shared-secret-of-32-chars"),  # its bytes are the key
    ],
)
def test_standard_webhooks_headers_verify_with_the_reference_library(api_server, secret, receiver_key):
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    api_server.expect_oneshot_request("/h").respond_with_data("busy", status=503)
    api_server.expect_request("/h").respond_with_data("ok")
    url = api_server.url_for("/h")
    messenger = WebhookMessenger({"url": url, "secret": secret})
    message = Message(recipient=None, address=url, text="x", delivery_id=41)
    assert [r.status for r in messenger.send_batch([message])] == ["failed"]
    assert [r.status for r in messenger.send_batch([message])] == ["sent"]  # the retry

    receiver = Webhook(receiver_key)
    first, retry = (request for request, _ in api_server.log)
    for request in (first, retry):
        assert receiver.verify(request.get_data(), dict(request.headers))["text"] == "x"
    assert first.headers["webhook-id"] == retry.headers["webhook-id"] == "msg_41"  # receivers drop the duplicate
    forged = {**dict(retry.headers), "webhook-id": "msg_42"}
    with pytest.raises(WebhookVerificationError):
        receiver.verify(retry.get_data(), forged)
    with pytest.raises(WebhookVerificationError):
        receiver.verify(retry.get_data().replace(b'"x"', b'"y"'), dict(retry.headers))
