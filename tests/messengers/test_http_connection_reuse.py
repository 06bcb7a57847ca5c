"""Every HTTP channel sends a batch over one kept-alive connection (a real HTTP/1.1 server)."""

from __future__ import annotations

import pytest

from django_signal_notifier.messengers import (
    Message,
    SlackMessenger,
    TelegramBotMessenger,
    TwilioSMSMessenger,
    WebhookMessenger,
)

SID = "AC" + "0" * 32


@pytest.mark.parametrize(
    ("messenger_class", "options", "addresses", "answer"),
    [
        (TelegramBotMessenger, {}, ["1", "2", "3"], {"ok": True}),
        (SlackMessenger, {}, ["U1", "U2", "U3"], {"ok": True}),
        (WebhookMessenger, {"url": "__URL__"}, ["__URL__"] * 3, {}),
        (TwilioSMSMessenger, {}, ["+15550000001", "+15550000002", "+15550000003"], {"sid": "SM1"}),
    ],
)
def test_a_batch_uses_one_connection(keepalive_server, settings, messenger_class, options, addresses, answer):
    url = keepalive_server.url("/hook")
    settings.SIGNAL_NOTIFIER = {
        "TELEGRAM_BOT_TOKEN": "1:" + "a" * 30,
        "TELEGRAM_API_URL": keepalive_server.url(),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": keepalive_server.url(),
        "WEBHOOK_SECRET": "s" * 32,
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": "t" * 32,
        "TWILIO_FROM": "+15559999999",
        "TWILIO_API_URL": keepalive_server.url(),
    }
    keepalive_server.answer = answer
    options = {k: url if v == "__URL__" else v for k, v in options.items()}
    messages = [
        Message(recipient=None, address=url if a == "__URL__" else a, subject=f"s{n}", text=f"t{n}", delivery_id=n)
        for n, a in enumerate(addresses)
    ]

    results = list(messenger_class(options).send_batch(messages))

    assert [r.status for r in results] == ["sent"] * 3, [r.error for r in results]
    assert len(keepalive_server.hits) == 3
    assert len({hit.client_port for hit in keepalive_server.hits}) == 1
