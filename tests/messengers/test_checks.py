"""The channels' system checks: malformed settings are errors always; settings a stored backend needs are warnings."""

from __future__ import annotations

import sys

import pytest

from django_signal_notifier.checks.settings import check_messengers, check_settings
from django_signal_notifier.models import Backend

pytestmark = pytest.mark.django_db


def ids(settings_dict, settings):
    settings.SIGNAL_NOTIFIER = settings_dict
    return sorted(message.id for message in check_messengers() + check_settings())


def test_nothing_configured_nothing_used_is_silent(settings):
    assert ids({}, settings) == []


def test_missing_settings_are_warnings_once_a_backend_uses_the_channel(settings):
    Backend.objects.create(messenger="TelegramBotMessenger")
    Backend.objects.create(messenger="TwilioSMSMessenger")
    Backend.objects.create(messenger="SlackMessenger", options={"channel": "C1"})
    found = ids({}, settings)
    assert found.count("signal_notifier.W111") == 1
    assert found.count("signal_notifier.W141") == 3  # SID, token and sender
    assert "signal_notifier.W123" in found


def test_a_slack_webhook_backend_needs_no_token(settings):
    Backend.objects.create(messenger="SlackMessenger", options={"webhook_url": "https://hooks.slack.com/services/x"})
    assert ids({}, settings) == []


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "signal_notifier.E112"),
        ({"TELEGRAM_API_URL": "api.telegram.org"}, "signal_notifier.E113"),
        ({"TELEGRAM_CHAT_ID": "nosuch.module.function"}, "signal_notifier.E114"),
        ({"EMAIL_ADDRESS": "no_such_field"}, "signal_notifier.E101"),
        ({"EMAIL_FROM": "nobody"}, "signal_notifier.E102"),
        ({"SLACK_API_URL": "slack"}, "signal_notifier.E121"),
        ({"WEBHOOK_SECRET": "short"}, "signal_notifier.E131"),
        ({"TWILIO_ACCOUNT_SID": "123"}, "signal_notifier.E142"),
        ({"TWILIO_FROM": "5551234"}, "signal_notifier.E143"),
        ({"TWILIO_PHONE_NUMBER": {"model": "testapp.Article"}}, "signal_notifier.E145"),
        ({"TWILIO_PHONE_NUMBER": {"model": "nosuch.Model", "field": "x"}}, "signal_notifier.E145"),
        ({"APPRISE_URL": "nosuch_attribute"}, "signal_notifier.E152"),
        ({"WEBPUSH_VAPID_PRIVATE_KEY": "not-a-key"}, "signal_notifier.E183"),
        ({"WEBPUSH_VAPID_SUBJECT": "ops@example.org"}, "signal_notifier.E184"),
        ({"WEBPUSH_URGENCY": "urgent"}, "signal_notifier.E185"),
        ({"WEBPUSH_ALLOWED_HOSTS": "fcm.googleapis.com"}, "signal_notifier.E188"),
        ({"WEBPUSH_MAX_DEVICES": 0}, "signal_notifier.E189"),
        ({"X_API_URL": "api.x.com"}, "signal_notifier.E191"),
        ({"X_CONSUMER_KEY": "key", "X_CONSUMER_SECRET": "secret"}, "signal_notifier.E192"),
        ({"X_HANDLE": "nosuch_attribute"}, "signal_notifier.E194"),
    ],
)
def test_malformed_settings_are_errors(settings, configured, expected):
    assert ids(configured, settings) == [expected]


def test_valid_settings_pass(settings):
    good = {
        "TELEGRAM_BOT_TOKEN": "123456:ABCdefGhIJKlmnoPQRstuVWxyz_0123456",
        "TELEGRAM_CHAT_ID": "tests.messengers.sources.chat_id",
        "EMAIL_ADDRESS": "email",
        "EMAIL_FROM": "Site <site@example.org>",
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "TWILIO_AUTH_TOKEN": "x" * 32,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_PHONE_NUMBER": {"model": "testapp.Article", "field": "body", "user_field": "author"},
        "WEBHOOK_SECRET": "s" * 32,
        "APPRISE_URL": "first_name",
    }
    assert ids(good, settings) == []


def test_a_used_apprise_backend_without_apprise_installed(settings, monkeypatch):
    Backend.objects.create(messenger="AppriseMessenger", options={"urls": "json://127.0.0.1:9/x"})
    monkeypatch.setitem(sys.modules, "apprise", None)  # makes `import apprise` raise ImportError
    assert ids({}, settings) == ["signal_notifier.W151"]


def test_an_unsigned_webhook_backend_is_a_warning(settings):
    Backend.objects.create(messenger="WebhookMessenger", options={"url": "https://example.org/h"})
    assert ids({}, settings) == ["signal_notifier.W132"]
    assert ids({"WEBHOOK_SECRET": "s" * 20}, settings) == []
    Backend.objects.update(options={"url": "https://example.org/h", "secret": "x" * 20})
    assert ids({}, settings) == []


def test_push_and_x_backends_without_their_settings_are_warnings(settings):
    Backend.objects.create(messenger="WebPushMessenger")
    Backend.objects.create(messenger="XMessenger")
    found = ids({}, settings)
    assert found.count("signal_notifier.W182") == 2  # the VAPID key and subject
    assert "signal_notifier.W193" in found


def test_a_complete_push_and_x_configuration_passes(settings):
    from django_signal_notifier.messengers.webpush import new_private_key

    Backend.objects.create(messenger="WebPushMessenger")
    Backend.objects.create(messenger="XMessenger")
    configured = {
        "WEBPUSH_VAPID_PRIVATE_KEY": new_private_key(),
        "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.org",
        "X_CONSUMER_KEY": "a",
        "X_CONSUMER_SECRET": "b",
        "X_ACCESS_TOKEN": "c",
        "X_ACCESS_TOKEN_SECRET": "d",
    }
    assert ids(configured, settings) == []
