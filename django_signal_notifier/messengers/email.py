"""Email through Django's ``EMAIL_BACKEND``: SMTP, django-anymail and every provider it supports.

One connection per batch, a text body with an HTML alternative, the message's headers
(List-Unsubscribe…) copied onto the email and, when the message has an unsubscribe link, a
visible one at the bottom of both bodies (templates ``django_signal_notifier/email/unsubscribe.txt``
and ``.html``). SMTP errors are classified: a refused recipient or a
5xx reply is permanent, a connection failure or a 4xx reply is transient.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from typing import Any, ClassVar

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.template import Context
from django.utils import translation
from django.utils.html import strip_tags

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import (
    DeliveryError,
    PermanentDeliveryError,
    SkipDelivery,
    TransientDeliveryError,
)
from django_signal_notifier.messengers.addresses import resolve_address
from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.checks import check_address_source
from django_signal_notifier.messengers.options import LINES, Option
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.rendering.base import MessageTemplate, template_engine
from django_signal_notifier.rendering.registry import template_registry


@template_registry.register
class EmailMessageTemplate(MessageTemplate):
    """A short email: the summary as subject, text and HTML bodies with a link to the object.

    Override the files ``django_signal_notifier/email/message.txt`` and ``message.html`` in your
    project's templates to restyle every email of this template.
    """

    label = "Email (summary with a link)"
    subject = "{% if actor %}{{ actor }} {% endif %}{{ action }} {{ instance_type }} “{{ instance }}”"
    file_name = "django_signal_notifier/email/message.txt"
    html_file_name = "django_signal_notifier/email/message.html"
    url = "{{ instance_url }}"


# Where a provider's event finds its delivery when the message id is unknown: a header on the
# email and django-anymail's ``metadata`` (echoed back by most providers' tracking webhooks).
DELIVERY_HEADER = "X-Signal-Notifier-Delivery"
DELIVERY_METADATA_KEY = "signal_notifier_delivery"

UNSUBSCRIBE_TEXT = "django_signal_notifier/email/unsubscribe.txt"
UNSUBSCRIBE_HTML = "django_signal_notifier/email/unsubscribe.html"
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def with_unsubscribe_link(text: str, html: str, url: str, language: str = "") -> tuple[str, str]:
    """``text`` and ``html`` with the visible unsubscribe link added at their end (unchanged without ``url``)."""
    if not url:
        return text, html
    engine = template_engine()
    values = {"unsubscribe_url": url}
    with translation.override(language or settings.LANGUAGE_CODE):
        text_footer = str(engine.get_template(UNSUBSCRIBE_TEXT).render(Context(values, autoescape=False)))
        text = text.rstrip() + "\n" + text_footer.rstrip("\n")
        if html:
            html_footer = str(engine.get_template(UNSUBSCRIBE_HTML).render(Context(values))).strip()
            ends = list(_BODY_END.finditer(html))
            at = ends[-1].start() if ends else len(html)
            html = html[:at] + html_footer + "\n" + html[at:]
    return text, html


def classify_smtp_error(error: BaseException) -> DeliveryError:
    """A refused recipient or 5xx reply is permanent; connection trouble or 4xx is transient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{code} {_text(reply)}" for code, reply in error.recipients.values())
        if all(400 <= code < 500 for code, _ in error.recipients.values()):
            return TransientDeliveryError(f"SMTP recipient deferred: {replies}")
        return PermanentDeliveryError(f"SMTP recipient refused: {replies}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return TransientDeliveryError(f"SMTP server disconnected: {error}")
    if isinstance(error, smtplib.SMTPResponseException):
        reply = f"SMTP error {error.smtp_code}: {_text(error.smtp_error)}"
        if 500 <= error.smtp_code < 600:
            return PermanentDeliveryError(reply)
        return TransientDeliveryError(reply)
    if isinstance(error, UnicodeError | ValueError):  # a bad header (BadHeaderError before Django 6)
        return PermanentDeliveryError(f"the email cannot be built: {type(error).__name__}: {error}")
    status = getattr(error, "status_code", None)  # provider APIs (django-anymail's errors carry it)
    if isinstance(status, int):
        reply = f"email provider answered HTTP {status}: {type(error).__name__}"
        if status in (408, 425, 429) or status >= 500:
            return TransientDeliveryError(reply)
        return PermanentDeliveryError(reply)
    if type(error).__name__ in ("AnymailRecipientsRefused", "AnymailInvalidAddress"):
        return PermanentDeliveryError(f"email provider refused the recipient: {type(error).__name__}")
    if isinstance(error, socket.timeout | TimeoutError):
        return TransientDeliveryError("SMTP server timed out")
    if isinstance(error, OSError | smtplib.SMTPException):
        return TransientDeliveryError(f"SMTP connection failed: {type(error).__name__}: {error}")
    return TransientDeliveryError(f"email backend failed: {type(error).__name__}: {error}")


def _text(reply: Any) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", errors="replace")
    return str(reply)


@messenger_registry.register
class EmailMessenger(Messenger):
    """Sends each message as an email through ``settings.EMAIL_BACKEND``.

    Backend options: ``from_email`` (overrides ``SIGNAL_NOTIFIER['EMAIL_FROM']``) and
    ``reply_to`` (an address or a list of addresses).
    """

    settings_prefix = "EMAIL"  # SIGNAL_NOTIFIER["EMAIL_…"]
    suppression_channel = "email"

    label = "Email"
    default_template = "EmailMessageTemplate"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "from_email",
            "From address",
            "Overrides SIGNAL_NOTIFIER['EMAIL_FROM'] and DEFAULT_FROM_EMAIL, e.g. Blog <news@example.com>.",
        ),
        Option("reply_to", "Reply-To", "Addresses replies go to, one per line.", kind=LINES),
    )

    _connection: Any = None
    _needs_open: bool = True
    _open_error: DeliveryError | None = None

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        addresses = [options.get("from_email") or "x@example.org"]
        reply_to = options.get("reply_to") or []
        addresses += [reply_to] if isinstance(reply_to, str) else list(reply_to)
        for address in addresses:
            try:
                validate_email(parseaddr(str(address))[1])
            except ValidationError:
                raise ValidationError(f"{address!r} is not an email address.") from None

    @classmethod
    def check(cls) -> list[CheckMessage]:
        if cls is not EmailMessenger:
            return []  # subclasses (SMTPEmailMessenger) share these settings: report once
        messages = check_address_source("EMAIL_ADDRESS", "signal_notifier.E101", cls.channel_name())
        sender = app_settings.EMAIL_FROM
        if sender is not None and not (isinstance(sender, str) and "@" in sender):
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER['EMAIL_FROM'] must be an email address, not {sender!r}.",
                    id="signal_notifier.E102",
                )
            )
        return messages

    def from_email(self) -> str:
        return str(self.options.get("from_email") or app_settings.EMAIL_FROM or settings.DEFAULT_FROM_EMAIL)

    def get_address(self, user: Any) -> str | None:
        address = resolve_address(user, app_settings.EMAIL_ADDRESS)
        if address is None:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no email address")
        return address

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """One backend connection, opened once, for the whole batch."""
        connection = get_connection(fail_silently=False)
        self._connection = connection
        self._needs_open = True
        self._open_error: DeliveryError | None = None
        try:
            yield connection
        finally:
            self._connection = None
            try:
                connection.close()
            except Exception:  # closing a dead connection must not lose the batch's results
                pass

    def _open(self, connection: Any) -> None:
        """Open (or reopen after a failure) the batch's connection; backends that open nothing pass."""
        if self._open_error is not None:  # one failed connect per batch, not one per message
            raise type(self._open_error)(str(self._open_error))
        if not self._needs_open:
            return
        try:
            connection.open()
        except Exception as error:
            self._open_error = classify_smtp_error(error)
            raise type(self._open_error)(str(self._open_error)) from None
        self._needs_open = False

    def build_email(self, message: Message, connection: Any = None) -> EmailMultiAlternatives:
        """The email for one message: text body, HTML alternative, the message's headers."""
        reply_to = self.options.get("reply_to") or []
        if isinstance(reply_to, str):
            reply_to = [reply_to]
        text = message.text or strip_tags(message.html).strip()
        if message.url and message.url not in text:
            text = f"{text}\n\n{message.url}" if text else message.url
        text, html = with_unsubscribe_link(text, message.html, message.unsubscribe_url, message.language)
        email = EmailMultiAlternatives(
            subject=" ".join(message.subject.split()),
            body=text,
            from_email=self.from_email(),
            to=[message.address],
            reply_to=list(reply_to),
            headers=dict(message.headers),
            connection=connection,
        )
        if html:
            email.attach_alternative(html, "text/html")
        if message.delivery_id is not None:
            email.extra_headers[DELIVERY_HEADER] = str(message.delivery_id)
            email.metadata = {DELIVERY_METADATA_KEY: str(message.delivery_id)}  # type: ignore[attr-defined]
        return email

    def send_message(self, message: Message) -> None:
        try:
            validate_email(message.address)
        except Exception:
            raise PermanentDeliveryError(f"not a valid email address: {message.address!r}") from None
        connection = self._connection
        if connection is not None:
            self._open(connection)
        email = self.build_email(message, connection)
        try:
            sent = email.send(fail_silently=False)
        except Exception as error:
            classified = classify_smtp_error(error)
            if classified.transient and connection is not None:
                try:  # the next message of the batch reconnects
                    connection.close()
                except Exception:
                    pass
                self._needs_open = True
            raise classified from None
        if not sent:
            raise TransientDeliveryError("the email backend reported 0 messages sent")
        message.provider_message_id = provider_message_id(email)


def provider_message_id(email: Any) -> str:
    """The id django-anymail's backend got from the provider ("" for backends that give none)."""
    status = getattr(email, "anymail_status", None)
    found = getattr(status, "message_id", None)
    if found is None:
        return ""
    if isinstance(found, set):  # one id per recipient; each email here has one recipient
        found = next(iter(found), "")
    return str(found)[:255]


@messenger_registry.register
class SMTPEmailMessenger(EmailMessenger):
    """0.2.1's name for :class:`EmailMessenger`."""

    label = "Email (SMTPEmailMessenger, 0.2.1's name)"
