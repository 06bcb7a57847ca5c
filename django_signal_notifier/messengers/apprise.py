"""Apprise: one messenger for the 100+ services apprise knows (``pip install django-signal-notifier[apprise]``).

URLs come from the backend's ``urls`` option (every recipient's message goes there; identical
messages in one batch are sent once) or, without it, from each user (``APPRISE_URL``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from django.core.checks import CheckMessage
from django.core.exceptions import ValidationError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.addresses import resolve_address
from django_signal_notifier.messengers.base import Message, Messenger, SendResult
from django_signal_notifier.messengers.checks import check_address_source, check_optional_package
from django_signal_notifier.messengers.destinations import send_once_per_destination
from django_signal_notifier.messengers.http import redact, register_secrets
from django_signal_notifier.messengers.options import LINES, Option
from django_signal_notifier.messengers.registry import messenger_registry

_HTTP_ERROR = re.compile(r"error=(\d{3})")
_SPLIT = re.compile(r"[\s,]+")


def split_urls(value: Any) -> list[str]:
    """A list of URLs from a list or a string separated by spaces or commas."""
    if not value:
        return []
    items = value if isinstance(value, list | tuple) else _SPLIT.split(str(value))
    return [str(item).strip() for item in items if str(item).strip()]


def url_secrets(urls: list[str]) -> list[str]:
    """The parts of apprise URLs that must not be shown: the whole URL, passwords, users and paths."""
    found: list[str] = []
    for url in urls:
        found.append(url)
        parts = urlsplit(url)
        for part in (parts.password, parts.username):
            if part:
                found.extend({part, unquote(part)})
        found.extend(segment for segment in parts.path.split("/") if len(segment) >= 8)
    return found


@messenger_registry.register
class AppriseMessenger(Messenger):
    """Sends each message through apprise to the backend's or the user's apprise URLs."""

    settings_prefix = "APPRISE"  # SIGNAL_NOTIFIER["APPRISE_…"]

    label = "Apprise (100+ services)"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "urls",
            "Apprise URLs",
            "One per line (tgram://…, mailto://…): every message goes there. Empty: each recipient's own URLs "
            "(SIGNAL_NOTIFIER['APPRISE_URL']).",
            kind=LINES,
        ),
    )
    requires: ClassVar[tuple[str, ...]] = ("apprise",)

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        urls = split_urls(options.get("urls"))
        if not urls:
            return
        try:
            import apprise
        except ImportError:
            return
        register_secrets(url_secrets(urls))
        bad = [redact(url, url_secrets([url]))[:60] for url in urls if not apprise.Apprise().add(url)]
        if bad:
            raise ValidationError(f"apprise does not understand these URLs: {', '.join(bad)}")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        return check_optional_package(cls.channel_name(), "apprise", "apprise", "signal_notifier.E151") + (
            check_address_source("APPRISE_URL", "signal_notifier.E152", cls.channel_name())
            if app_settings.APPRISE_URL
            else []
        )

    @classmethod
    def shares_destination(cls, options: dict[str, Any]) -> bool:
        return bool(options.get("urls"))

    def get_address(self, user: Any) -> str | None:
        if self.options.get("urls"):
            return "backend"
        urls = resolve_address(user, app_settings.APPRISE_URL)
        if urls is None:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no apprise URL")
        return urls

    def shows_address(self, address: str) -> bool:
        return address == "backend"  # a user's apprise URLs carry their tokens

    def send_batch(self, messages: Sequence[Message]) -> Iterator[SendResult]:
        self._senders: dict[str, Any] = {}
        try:
            if self.options.get("urls"):
                yield from send_once_per_destination(self, messages, lambda m: (m.subject, m.text, m.url))
            else:
                for message in messages:
                    yield self._attempt(message)
        finally:
            self._senders = {}

    def _sender(self, address: str) -> tuple[Any, list[str]]:
        """An Apprise object for these URLs, built once per batch."""
        import apprise

        urls = split_urls(self.options.get("urls")) if address == "backend" else split_urls(address)
        senders: dict[str, Any] = getattr(self, "_senders", {})
        if address not in senders:
            register_secrets(url_secrets(urls))  # before add(): apprise logs each URL it loads
            sender = apprise.Apprise()
            invalid = [url for url in urls if not sender.add(url)]
            if invalid or not urls:
                shown = ", ".join(redact(url, url_secrets([url]))[:40] for url in invalid) or "none"
                raise PermanentDeliveryError(f"apprise cannot use these URLs: {shown}")
            senders[address] = sender
        return senders[address], urls

    def send_message(self, message: Message) -> None:
        try:
            import apprise
        except ImportError:
            raise TransientDeliveryError("apprise is not installed: pip install 'django-signal-notifier[apprise]'")
        sender, urls = self._sender(message.address)
        body = message.text or message.subject
        if message.url and message.url not in body:
            body = f"{body}\n{message.url}"
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            ok = sender.notify(body=body, title=message.subject, body_format=apprise.NotifyFormat.TEXT)
        if ok:
            return
        log = redact(" ".join(captured.getvalue().split()), url_secrets(urls))[-500:]
        statuses = [int(code) for code in _HTTP_ERROR.findall(log)]
        text = f"apprise could not notify: {log or 'no detail'}"
        if statuses and all(400 <= code < 500 and code not in (408, 425, 429) for code in statuses):
            raise PermanentDeliveryError(text)
        raise TransientDeliveryError(text)
