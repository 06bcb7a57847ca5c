"""SlackMessenger: incoming webhook and chat.postMessage against a real HTTP server."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from django_signal_notifier.messengers import Message, SlackMessenger
from django_signal_notifier.models import DeliveryStatus
from tests.messengers.conftest import request_json

pytestmark = pytest.mark.django_db
BOT_TOKEN = "xoxb-1234-5678-secretsecret"


def test_pipeline_webhook_posts_once_for_a_channel(api_server, make_user, subscribe, publish, caplog):
    api_server.expect_request("/services/T000/B000/XXXXsecretXXXX", method="POST").respond_with_data("ok")
    webhook_url = api_server.url_for("/services/T000/B000/XXXXsecretXXXX")
    users = [make_user(), make_user()]
    subscribe("SlackMessenger", users, options={"webhook_url": webhook_url})

    deliveries = publish("Deploy <prod> & more")

    # A channel is not a person: one delivery for the event (issue 15), one post.
    assert [(d.status, d.recipient_id) for d in deliveries] == [(DeliveryStatus.SENT, None)]
    assert len(api_server.log) == 1
    body = request_json(api_server)
    assert body["text"].startswith("*created article “Deploy &lt;prod&gt; &amp; more”*\n")
    assert "</articles/" in body["text"]


def test_pipeline_direct_messages_with_the_bot_token(api_server, make_user, subscribe, publish, settings):
    settings.SIGNAL_NOTIFIER = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": api_server.url_for("/api"),
        "SLACK_USER_ID": "first_name",
    }
    api_server.expect_request("/api/chat.postMessage", method="POST").respond_with_json({"ok": True, "ts": "1.2"})
    member, stranger = make_user(first_name="U0MEMBER"), make_user(first_name="")
    subscribe("SlackMessenger", [member, stranger])

    deliveries = {d.recipient_id: d for d in publish()}

    assert deliveries[member.pk].status == DeliveryStatus.SENT
    assert deliveries[stranger.pk].status == DeliveryStatus.SKIPPED
    assert deliveries[stranger.pk].reason == f"user {stranger.pk} has no Slack member id"
    request = api_server.log[0][0]
    assert request.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert request_json(api_server)["channel"] == "U0MEMBER"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"ok": False, "error": "channel_not_found"}, "dead"),
        ({"ok": False, "error": "invalid_auth"}, "dead"),
        ({"ok": False, "error": "ratelimited"}, "failed"),
        ({"ok": False, "error": "internal_error"}, "failed"),
    ],
)
def test_chat_post_message_errors(api_server, settings, answer, expected):
    settings.SIGNAL_NOTIFIER = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": api_server.url_for("/api")}
    api_server.expect_request("/api/chat.postMessage").respond_with_json(answer)
    [result] = SlackMessenger({"channel": "C1"}).send_batch([Message(recipient=None, address="C1", text="x")])
    assert result.status == expected
    assert answer["error"] in result.error


def test_rate_limit_status_honours_retry_after(api_server, settings):
    settings.SIGNAL_NOTIFIER = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": api_server.url_for("/api")}
    api_server.expect_request("/api/chat.postMessage").respond_with_data("", status=429, headers={"Retry-After": "30"})
    [result] = SlackMessenger({"channel": "C1"}).send_batch([Message(recipient=None, address="C1", text="x")])
    assert (result.status, result.retry_after) == ("failed", 30)


def test_a_deleted_webhook_is_permanent_and_its_url_is_not_shown(api_server, caplog):
    import logging

    api_server.expect_request("/services/T/B/topsecretpart").respond_with_data("no_service", status=404)
    url = api_server.url_for("/services/T/B/topsecretpart")
    with caplog.at_level(logging.DEBUG):
        [result] = SlackMessenger({"webhook_url": url}).send_batch(
            [Message(recipient=None, address="webhook", text="x")]
        )
    assert result.status == "dead"
    assert "topsecretpart" not in result.error
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "HTTP Request: POST ***" in ours
    assert "topsecretpart" not in ours


def test_missing_token_without_webhook_is_permanent(settings):
    settings.SIGNAL_NOTIFIER = {}
    [result] = SlackMessenger({"channel": "C1"}).send_batch([Message(recipient=None, address="C1", text="x")])
    assert result.status == "dead"
    assert "SLACK_BOT_TOKEN" in result.error


def test_options_are_validated():
    with pytest.raises(ValidationError):
        SlackMessenger.validate_options({"webhook_url": "hooks.slack.com/x"})
    with pytest.raises(ValidationError, match="either"):
        SlackMessenger.validate_options({"webhook_url": "https://hooks.slack.com/x", "channel": "C1"})
    SlackMessenger.validate_options({"channel": "#general"})
