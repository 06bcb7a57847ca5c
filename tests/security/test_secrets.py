"""Secrets stay secret: no token, password or full phone number in logs, the delivery log or event snapshots."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from werkzeug import Request, Response

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

TELEGRAM_TOKEN = "987654321:AAHsecretTelegramToken_0123456789ab"
SLACK_TOKEN = "xoxb-1111-2222-secretSlackBotToken"
SLACK_HOOK_SECRET = "T0000/B0000/slackHookSecretPart99"
TWILIO_SID = "AC" + "f" * 32
TWILIO_AUTH = "twilioAuthTokenSecret0123456789"
WEBHOOK_SECRET = "whsec_secretWebhookSigningKey01"
PHONE = "+14155550123"
PASSWORD = "correct horse battery staple"
SECRETS = (TELEGRAM_TOKEN, SLACK_TOKEN, SLACK_HOOK_SECRET, TWILIO_AUTH, WEBHOOK_SECRET, PHONE, PASSWORD)


def echo(status: int) -> Any:
    """A server that repeats everything it was sent (URL, headers, body) in its answer: the worst case."""

    def handler(request: Request) -> Response:
        seen = {"url": request.url, "headers": dict(request.headers), "body": request.get_data(as_text=True)}
        payload = {"ok": status < 300, "sid": "SM1", "status": "queued", "description": json.dumps(seen)}
        return Response(json.dumps(payload), status=status, content_type="application/json")

    return handler


def leaks(text: str) -> list[str]:
    found = [secret for secret in SECRETS if secret in text]
    digits = re.sub(r"\D", "", PHONE)
    if digits in re.sub(r"\D", "", text.replace(TWILIO_SID, "")):
        found.append("phone digits")
    return found


@pytest.fixture
def every_channel(api_server: Any, settings: Any) -> Any:
    settings.SIGNAL_NOTIFIER = {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_URL": api_server.url_for("/tg"),
        "TELEGRAM_CHAT_ID": "first_name",
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_API_URL": api_server.url_for("/slack"),
        "SLACK_USER_ID": "first_name",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_API_URL": api_server.url_for("/"),
        "TWILIO_PHONE_NUMBER": "last_name",
    }
    reader = get_user_model().objects.create_user("reader", "reader@example.org", PASSWORD)
    reader.first_name, reader.last_name = "424242", PHONE
    reader.save()
    subscribe("post_save", Article, users=[reader], messenger="TelegramBotMessenger")
    subscribe("post_save", Article, users=[reader], messenger="SlackMessenger")
    subscribe("post_save", Article, users=[reader], messenger="TwilioSMSMessenger")
    hook = subscribe("post_save", Article, users=[reader], messenger="SlackMessenger")
    hook.backends.update(options={"webhook_url": api_server.url_for(f"/services/{SLACK_HOOK_SECRET}")})
    signed = subscribe("post_save", Article, users=[reader], messenger="WebhookMessenger")
    signed.backends.update(options={"url": api_server.url_for("/hook"), "secret": WEBHOOK_SECRET})
    return api_server


def test_failures_and_successes_never_log_or_record_a_secret(every_channel, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    every_channel.expect_request(re.compile(".*")).respond_with_handler(echo(500))
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="first try")
    assert Delivery.objects.count() == 5
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}

    every_channel.clear()
    every_channel.expect_request(re.compile(".*")).respond_with_handler(echo(200))
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_due() == {"sent": 5}

    assert len(every_channel.log) == 5  # the requests did carry the secrets: they were really used
    assert any(TELEGRAM_TOKEN in req.path for req, _ in every_channel.log)

    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]  # werkzeug is the provider's side
    assert any(r.name.startswith("httpx") for r in ours)  # httpx's own lines were captured
    assert any(r.name.startswith("httpcore") for r in ours)  # and httpcore's DEBUG lines
    for record in ours:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        assert leaks(text) == [], (record.name, record.levelname, text[:600])
    for delivery in Delivery.objects.all():
        stored = " ".join([delivery.address, delivery.reason, delivery.last_error, json.dumps(delivery.content)])
        assert leaks(stored) == [], (delivery.channel, stored)


def test_errors_recorded_during_failure_are_redacted(every_channel, django_capture_on_commit_callbacks):
    every_channel.expect_request(re.compile(".*")).respond_with_handler(echo(500))
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="fails")
    errors = list(Delivery.objects.values_list("channel", "last_error"))
    assert all("HTTP 500" in error for _, error in errors), errors
    assert [leaks(error) for _, error in errors] == [[]] * 5


def test_event_snapshots_hold_no_password_hash_or_secret_named_field(django_capture_on_commit_callbacks):
    User = get_user_model()
    watcher = User.objects.create_user("watcher", "w@example.org", "pw")
    subscribe("post_save", User, users=[watcher])
    with django_capture_on_commit_callbacks(execute=True):
        member = User.objects.create_user("member", "m@example.org", PASSWORD)
    member.refresh_from_db()
    [event] = Event.objects.filter(action_object_id=str(member.pk))
    stored = json.dumps(event.snapshot)
    assert "password" not in event.snapshot["action_object"]["fields"]
    assert member.password not in stored and PASSWORD not in stored
    assert "username" in event.snapshot["action_object"]["fields"]  # the rest is there


def test_signal_kwargs_named_like_secrets_are_masked(django_capture_on_commit_callbacks):
    from django.dispatch import Signal

    from django_signal_notifier import register_signal

    signal = register_signal("security_kwargs_event", Signal())
    reader = get_user_model().objects.create_user("reader", "r@example.org", "pw")
    subscribe("security_kwargs_event", None, users=[reader])
    with django_capture_on_commit_callbacks(execute=True):
        signal.send(
            sender=Article,
            api_key="k-123456",
            access_token="t-123456",
            client_secret="s-123456",
            otp_code="654321",
            nested={"password": "p-123456", "fine": "visible"},
        )
    stored = Event.objects.get(verb="security_kwargs_event").snapshot["kwargs"]
    assert stored == {
        "api_key": "***",
        "access_token": "***",
        "client_secret": "***",
        "otp_code": "***",
        "nested": {"password": "***", "fine": "visible"},
    }
