"""Webhook signatures: what the messenger sends verifies; any change to body, time or secret does not."""

from __future__ import annotations

import time

import pytest

from django_signal_notifier.messengers import Message, WebhookMessenger, verify_webhook_signature
from django_signal_notifier.messengers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER

SECRET = "whsec_security_suite_0123456789"


@pytest.fixture
def signed(api_server):
    api_server.expect_request("/in").respond_with_data("", status=204)
    url = api_server.url_for("/in")
    [result] = WebhookMessenger({"url": url, "secret": SECRET}).send_batch(
        [Message(recipient=None, address=url, subject="s", text="pay 10 EUR to alice", delivery_id=7)]
    )
    assert result.ok
    request = api_server.log[0][0]
    return request.get_data(), request.headers[TIMESTAMP_HEADER], request.headers[SIGNATURE_HEADER]


def test_the_sent_request_verifies(signed):
    body, timestamp, signature = signed
    assert verify_webhook_signature(SECRET, body, timestamp, signature)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda b, t, s: (b.replace(b"10 EUR", b"99 EUR"), t, s), id="body changed"),
        pytest.param(lambda b, t, s: (b + b" ", t, s), id="body extended"),
        pytest.param(lambda b, t, s: (b, str(int(t) + 1), s), id="timestamp changed"),
        pytest.param(lambda b, t, s: (b, t, s[:-1] + ("0" if s[-1] != "0" else "1")), id="signature changed"),
        pytest.param(lambda b, t, s: (b, t, s.replace("sha256=", "")), id="scheme dropped"),
        pytest.param(lambda b, t, s: (b, "not-a-time", s), id="timestamp garbage"),
    ],
)
def test_a_tampered_request_fails(signed, tamper):
    assert not verify_webhook_signature(SECRET, *tamper(*signed))


def test_another_secret_or_a_replay_fails(signed):
    body, timestamp, signature = signed
    assert not verify_webhook_signature("whsec_another_secret_0123456789", body, timestamp, signature)
    assert not verify_webhook_signature(SECRET, body, timestamp, signature, now=time.time() + 301)
