"""TelegramBotMessenger against a real HTTP server on loopback standing in for the Bot API."""

from __future__ import annotations

import logging

import pytest
from werkzeug import Response

from django_signal_notifier.messengers import Message, TelegramBotMessenger
from django_signal_notifier.messengers.telegram import telegram_html
from django_signal_notifier.models import DeliveryStatus
from tests.messengers.conftest import free_port, request_json

pytestmark = pytest.mark.django_db
TOKEN = "123456789:AAHfakeTokenForTests_abcdefghijklmno"


@pytest.fixture
def telegram(api_server, settings):
    settings.SIGNAL_NOTIFIER = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_server.url_for("/"),
        "TELEGRAM_CHAT_ID": "last_name",  # a field path on the user
    }
    return api_server


def ok(api_server, times=None):
    api_server.expect_request(f"/bot{TOKEN}/sendMessage", method="POST").respond_with_json(
        {"ok": True, "result": {"message_id": 1}}
    )


def test_pipeline_sends_html_to_each_chat_over_one_connection(telegram, make_user, subscribe, publish):
    ok(telegram)
    alice, bob = make_user(last_name="1001"), make_user(last_name="-1002")
    nobody = make_user(last_name="")
    subscribe("TelegramBotMessenger", [alice, bob, nobody], options={"disable_notification": True})

    deliveries = {d.recipient_id: d for d in publish("Tom & <Jerry>")}

    assert deliveries[alice.pk].status == DeliveryStatus.SENT
    assert deliveries[bob.pk].status == DeliveryStatus.SENT
    assert deliveries[nobody.pk].status == DeliveryStatus.SKIPPED
    assert deliveries[nobody.pk].reason == f"user {nobody.pk} has no Telegram chat id"
    assert len(telegram.log) == 2
    bodies = sorted((request_json(telegram, i) for i in range(2)), key=lambda body: body["chat_id"])
    assert [body["chat_id"] for body in bodies] == ["-1002", "1001"]
    first = bodies[0]
    assert first["parse_mode"] == "HTML"
    assert first["disable_notification"] is True
    assert first["text"].startswith("<b>created article “Tom &amp; &lt;Jerry&gt;”</b>")
    assert '<a href="/articles/' in first["text"]


def test_chat_id_from_a_dotted_callable(telegram, make_user, subscribe, publish, settings):
    ok(telegram)
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TELEGRAM_CHAT_ID": "tests.messengers.sources.chat_id"}
    user = make_user(username="carol")
    subscribe("TelegramBotMessenger", [user])
    assert [d.status for d in publish()] == [DeliveryStatus.SENT]
    assert request_json(telegram)["chat_id"] == "chat-for-carol"


def test_chat_id_from_a_profile_model(telegram, make_user, subscribe, publish, settings):
    """The profile form: any model with a user foreign key (here the test app's Article.author)."""
    ok(telegram)
    settings.SIGNAL_NOTIFIER = {
        **settings.SIGNAL_NOTIFIER,
        "TELEGRAM_CHAT_ID": {"model": "testapp.Article", "field": "body", "user_field": "author"},
    }
    from tests.testapp.models import Article

    user = make_user()
    subscribe("TelegramBotMessenger", [user])
    # The "profile" row; its own save notifies nobody (no commit runs in this test's transaction).
    Article.objects.create(title="profile", author=user, body="777")
    deliveries = publish("news")
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    assert {request_json(telegram, i)["chat_id"] for i in range(len(telegram.log))} == {"777"}


def test_rate_limit_is_transient_with_retry_after(telegram):
    telegram.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_json(
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 17",
            "parameters": {"retry_after": 17},
        },
        status=429,
    )
    [result] = TelegramBotMessenger().send_batch([Message(recipient=None, address="1", text="x")])
    assert result.status == "failed"
    assert result.retry_after == 17


def test_rate_limit_sets_the_next_attempt_through_the_pipeline(telegram, make_user, subscribe, publish):
    telegram.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_json(
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 600",
            "parameters": {"retry_after": 600},
        },
        status=429,
    )
    subscribe("TelegramBotMessenger", [make_user(last_name="5")])
    [delivery] = publish()
    assert delivery.status == DeliveryStatus.FAILED
    wait = (delivery.next_attempt_at - delivery.updated_at).total_seconds()
    assert 590 <= wait <= 610


@pytest.mark.parametrize(
    ("status", "answer", "expected", "words"),
    [
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}, "dead", "chat not found"),
        (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, "dead", "bot token"),
        (
            403,
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
            "dead",
            "blocked",
        ),
        (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}, "failed", "502"),
    ],
)
def test_error_classification(telegram, status, answer, expected, words):
    telegram.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_json(answer, status=status)
    [result] = TelegramBotMessenger().send_batch([Message(recipient=None, address="1", text="x")])
    assert result.status == expected
    assert words in result.error
    assert TOKEN not in result.error


def test_timeout_is_transient(telegram, settings):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "HTTP_TIMEOUT": 0.2}
    import threading

    release = threading.Event()

    def slow(request):
        release.wait(2)
        return Response("{}", content_type="application/json")

    telegram.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_handler(slow)
    try:
        [result] = TelegramBotMessenger().send_batch([Message(recipient=None, address="1", text="x")])
    finally:
        release.set()
    assert result.status == "failed"
    assert "timed out" in result.error


def test_connection_refused_is_transient_and_hides_the_token(settings, caplog):
    settings.SIGNAL_NOTIFIER = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}"}
    with caplog.at_level(logging.DEBUG):
        [result] = TelegramBotMessenger().send_batch([Message(recipient=None, address="1", text="x")])
    assert result.status == "failed"
    assert "connection failed" in result.error
    assert TOKEN not in result.error
    # Not the fake API servers' own access log (an earlier test's server may still log a line).
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert TOKEN not in ours


def test_the_token_never_reaches_the_logs(telegram, make_user, subscribe, publish, caplog):
    ok(telegram)
    subscribe("TelegramBotMessenger", [make_user(last_name="9")])
    with caplog.at_level(logging.DEBUG):
        publish()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # not the fake API's log
    assert "HTTP Request: POST" in ours  # httpx logged the request…
    assert TOKEN not in ours  # …without the token in its URL
    assert "/bot***/sendMessage" in ours


def test_long_text_is_cut_to_telegrams_limit_without_breaking_entities():
    message = Message(recipient=None, address="1", subject="S", text="&" * 5000, url="https://example.org/x")
    text = telegram_html(message)
    assert len(text) <= 4096
    assert text.endswith('<a href="https://example.org/x">https://example.org/x</a>')
    body = text.split("\n\n")[1]
    assert body.endswith("&amp;…")


def test_options_are_validated():
    from django.core.exceptions import ValidationError

    TelegramBotMessenger.validate_options({"disable_notification": True})
    with pytest.raises(ValidationError, match="true or false"):
        TelegramBotMessenger.validate_options({"disable_notification": "yes"})


def test_a_group_chat_option_sends_identical_messages_once(telegram, make_user, subscribe, publish):
    ok(telegram)
    users = [make_user(), make_user(), make_user(last_name="42")]
    subscribe("TelegramBotMessenger", users, options={"chat_id": -1001234567890})

    deliveries = publish("Release 2.0")

    assert [(d.status, d.recipient_id) for d in deliveries] == [(DeliveryStatus.SENT, None)]  # one per event
    assert len(telegram.log) == 1
    assert request_json(telegram)["chat_id"] == "-1001234567890"


def test_a_failed_group_post_fails_its_one_delivery(telegram, make_user, subscribe, publish):
    telegram.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_json(
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}, status=400
    )
    subscribe("TelegramBotMessenger", [make_user(), make_user()], options={"chat_id": "@nosuchchannel"})
    deliveries = publish()
    assert [d.status for d in deliveries] == [DeliveryStatus.DEAD]
    assert all("chat not found" in d.last_error for d in deliveries)
    assert len(telegram.log) == 1
