"""EmailMessenger against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import get_connection
from django.test import override_settings

from django_signal_notifier.exceptions import PermanentDeliveryError, TransientDeliveryError
from django_signal_notifier.messengers import EmailMessenger, Message, SMTPEmailMessenger, messenger_registry
from django_signal_notifier.messengers.email import classify_smtp_error
from django_signal_notifier.models import DeliveryStatus
from tests.messengers.conftest import free_port

pytestmark = pytest.mark.django_db


def test_pipeline_sends_one_email_per_recipient_over_one_connection(smtp_server, make_user, subscribe, publish):
    users = [make_user() for _ in range(3)]
    subscribe("EmailMessenger", users)

    deliveries = publish("Hello <world>")

    assert [d.status for d in deliveries] == [DeliveryStatus.SENT] * 3
    assert len(smtp_server.received) == 3
    assert smtp_server.connections() == 1
    assert len(smtp_server.handler.peers) == 1  # one EHLO: one SMTP session for the batch
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(u.email for u in users)
    mail = smtp_server.received[0]
    assert mail.mail_from == "site@example.org"
    assert mail.message["Subject"] == "created article “Hello <world>”"
    assert mail.message.get_content_type() == "multipart/alternative"
    text = mail.message.get_body(("plain",)).get_content()
    html = mail.message.get_body(("html",)).get_content()
    assert "created article “Hello <world>”." in text
    assert "/articles/" in text
    assert "“Hello &lt;world&gt;”" in html  # escaped in HTML, not in the text part
    assert '<a href="/articles/' in html


def test_the_0_2_1_name_is_registered_and_sends_too(smtp_server, make_user, subscribe, publish):
    assert messenger_registry.get("SMTPEmailMessenger") is SMTPEmailMessenger
    subscribe("SMTPEmailMessenger", [make_user(email="old@example.org")])
    deliveries = publish()
    assert [d.status for d in deliveries] == [DeliveryStatus.SENT]
    assert smtp_server.received[0].rcpt_tos == ["old@example.org"]


def test_user_without_email_is_skipped_with_the_reason(smtp_server, make_user, subscribe, publish):
    with_address, without = make_user(), make_user(email="")
    subscribe("EmailMessenger", [with_address, without])

    deliveries = {d.recipient_id: d for d in publish()}

    assert deliveries[with_address.pk].status == DeliveryStatus.SENT
    skipped = deliveries[without.pk]
    assert skipped.status == DeliveryStatus.SKIPPED
    assert skipped.reason == f"user {without.pk} has no email address"
    assert len(smtp_server.received) == 1


def test_refused_recipient_is_dead_deferred_is_retried_and_the_rest_still_go(
    smtp_server, make_user, subscribe, publish
):
    good = make_user(email="good@example.org")
    bounce = make_user(email="bounce@example.org")
    later = make_user(email="later@example.org")
    also_good = make_user(email="alsogood@example.org")
    subscribe("EmailMessenger", [good, bounce, later, also_good])

    deliveries = {d.recipient_id: d for d in publish()}

    assert deliveries[good.pk].status == DeliveryStatus.SENT
    assert deliveries[also_good.pk].status == DeliveryStatus.SENT
    assert deliveries[bounce.pk].status == DeliveryStatus.DEAD
    assert "550" in deliveries[bounce.pk].last_error and "refused" in deliveries[bounce.pk].last_error
    assert deliveries[later.pk].status == DeliveryStatus.FAILED
    assert "450" in deliveries[later.pk].last_error
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["alsogood@example.org", "good@example.org"]


def test_message_headers_reach_the_server(smtp_server):
    messenger = EmailMessenger({"from_email": "news@example.org", "reply_to": "help@example.org"})
    message = Message(
        recipient=None,
        address="reader@example.org",
        subject="Weekly",
        text="Plain body",
        html="<p>HTML body</p>",
        headers={
            "List-Unsubscribe": "<https://example.org/u/abc>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    results = list(messenger.send_batch([message]))
    assert [r.status for r in results] == ["sent"]
    mail = smtp_server.received[0]
    assert mail.mail_from == "news@example.org"
    assert mail.message["List-Unsubscribe"] == "<https://example.org/u/abc>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.message["Reply-To"] == "help@example.org"
    assert mail.message.get_body(("plain",)).get_content().strip() == "Plain body"
    assert mail.message.get_body(("html",)).get_content().strip() == "<p>HTML body</p>"


def test_a_header_with_a_newline_is_dead_not_retried(smtp_server):
    message = Message(recipient=None, address="a@example.org", subject="S", text="T", headers={"X-Bad": "a\nb"})
    [result] = EmailMessenger().send_batch([message])
    assert result.status == "dead"
    assert smtp_server.received == []


def test_html_only_message_gets_a_text_part(smtp_server):
    message = Message(recipient=None, address="a@example.org", subject="S", html="<p>Only <b>HTML</b></p>")
    assert [r.status for r in EmailMessenger().send_batch([message])] == ["sent"]
    assert smtp_server.received[0].message.get_body(("plain",)).get_content().strip() == "Only HTML"


def test_unreachable_server_is_transient(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    messages = [Message(recipient=None, address=f"{n}@example.org", subject="S", text="T") for n in range(3)]
    results = list(EmailMessenger().send_batch(messages))
    assert [r.status for r in results] == ["failed"] * 3
    assert all("SMTP connection failed" in r.error for r in results)


def test_invalid_address_is_permanent(smtp_server):
    [result] = EmailMessenger().send_batch([Message(recipient=None, address="not an address", text="x")])
    assert result.status == "dead"
    assert smtp_server.received == []


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (__import__("smtplib").SMTPRecipientsRefused({"a@x.org": (550, b"no such user")}), True),
        (__import__("smtplib").SMTPRecipientsRefused({"a@x.org": (452, b"mailbox full")}), False),
        (__import__("smtplib").SMTPDataError(554, b"rejected as spam"), True),
        (__import__("smtplib").SMTPDataError(451, b"local error"), False),
        (__import__("smtplib").SMTPSenderRefused(553, b"sender not allowed", "s@x.org"), True),
        (__import__("smtplib").SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (ValueError("Header values can't contain newlines"), True),  # Django 6 (BadHeaderError before)
        (type("AnymailRequestsAPIError", (Exception,), {"status_code": 400})("bad request"), True),
        (type("AnymailRequestsAPIError", (Exception,), {"status_code": 503})("unavailable"), False),
        (type("AnymailRequestsAPIError", (Exception,), {"status_code": 429})("slow down"), False),
        (type("AnymailRecipientsRefused", (Exception,), {})("all refused"), True),
    ],
)
def test_smtp_error_classification(error: Exception, permanent: bool):
    classified = classify_smtp_error(error)
    assert isinstance(classified, PermanentDeliveryError if permanent else TransientDeliveryError)


def test_locmem_backend_works_too(mailoutbox: Any, make_user, subscribe, publish):
    """Any EMAIL_BACKEND works (django-anymail is one): here Django's test backend."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert type(get_connection()).__module__ == "django.core.mail.backends.locmem"
        subscribe("EmailMessenger", [make_user(email="x@example.org")])
        publish()
    assert [m.to for m in mailoutbox] == [["x@example.org"]]


def test_options_are_validated():
    from django.core.exceptions import ValidationError

    EmailMessenger.validate_options({"from_email": "Shop <shop@example.org>", "reply_to": ["a@example.org"]})
    with pytest.raises(ValidationError, match="not an email address"):
        EmailMessenger.validate_options({"reply_to": "nobody"})
    with pytest.raises(ValidationError, match="Unknown option"):
        EmailMessenger.validate_options({"to": "a@example.org"})
