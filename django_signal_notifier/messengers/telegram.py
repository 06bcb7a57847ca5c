"""Telegram: the Bot API's ``sendMessage``, HTML parse mode, one HTTP client per batch."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.addresses import resolve_address
from django_signal_notifier.messengers.base import Message, SendResult
from django_signal_notifier.messengers.checks import check_address_source, check_url, require_settings
from django_signal_notifier.messengers.destinations import send_once_per_destination
from django_signal_notifier.messengers.http import HTTPMessenger
from django_signal_notifier.messengers.options import FLAG, Option
from django_signal_notifier.messengers.registry import messenger_registry

MAX_LENGTH = 4096
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


def telegram_html(message: Message) -> str:
    """The message as Telegram HTML: bold subject, escaped text, a link; at most 4096 characters."""
    parts = []
    if message.subject:
        parts.append(f"<b>{html.escape(message.subject, quote=False)}</b>")
    if message.text and message.text != message.subject:
        parts.append(html.escape(message.text, quote=False))
    link = f'<a href="{html.escape(message.url)}">{html.escape(message.url, quote=False)}</a>' if message.url else ""
    body = "\n\n".join(parts)
    room = MAX_LENGTH - (len(link) + 2 if link else 0)
    if len(body) > room:
        body = _cut(body, room - 1) + "…"
    return f"{body}\n\n{link}" if link and body else (body or link)


def chat_id_of(user: Any) -> str | None:
    """The default ``TELEGRAM_CHAT_ID``: the user's own ``telegram_chat_id``, else their Profile's.

    A custom user model with a ``telegram_chat_id`` field is read first; otherwise the chat id
    stored on the package's :class:`~django_signal_notifier.models.Profile` (where an upgrade
    from 0.2.1 moved its ``DSN_Profile`` rows), one query per recipient.
    """
    own = getattr(user, "telegram_chat_id", None)
    if own not in (None, ""):
        return str(own)
    # Here, not at the top: channels are imported before Django loads the models (pytest plugin).
    from django_signal_notifier.models import Profile

    chat_id = Profile.objects.filter(user_id=user.pk).values_list("telegram_chat_id", flat=True).first()
    return chat_id or None


def _cut(text: str, limit: int) -> str:
    """Cut escaped HTML without splitting an entity such as ``&amp;``."""
    cut = text[:limit]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    if cut.count("<b>") > cut.count("</b>"):
        cut += "</b>"
    return cut


@messenger_registry.register
class TelegramBotMessenger(HTTPMessenger):
    """Sends each message to the recipient's chat with a Telegram bot.

    The chat id comes from ``SIGNAL_NOTIFIER['TELEGRAM_CHAT_ID']`` (an address source; by default
    :func:`chat_id_of`: the user's ``telegram_chat_id`` or their Profile's), or from
    the backend's ``chat_id`` option for a group or channel (identical messages in a batch are
    then sent once). Other options: ``disable_notification``, ``disable_web_page_preview``.
    """

    settings_prefix = "TELEGRAM"  # SIGNAL_NOTIFIER["TELEGRAM_…"]

    label = "Telegram bot"
    service = "Telegram"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "chat_id",
            "Chat id",
            "A group or channel (-1001234567890 or @mychannel). Empty: each recipient's own chat "
            "(SIGNAL_NOTIFIER['TELEGRAM_CHAT_ID']).",
        ),
        Option("disable_notification", "Silent", "Deliver without a sound.", kind=FLAG),
        Option("disable_web_page_preview", "No link previews", "Do not show a preview of the link.", kind=FLAG),
    )
    flag_names: ClassVar[tuple[str, ...]] = ("disable_notification", "disable_web_page_preview")

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        for name in cls.flag_names:
            if name in options and not isinstance(options[name], bool):
                raise ValidationError(f"The {name!r} option must be true or false.")
        chat_id = options.get("chat_id")
        if chat_id is not None and not (isinstance(chat_id, int) or (isinstance(chat_id, str) and chat_id.strip())):
            raise ValidationError("'chat_id' must be a chat id (-1001234567890) or a channel name (@mychannel).")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        messages = require_settings(cls.channel_name(), ("TELEGRAM_BOT_TOKEN",), "signal_notifier.E111")
        token = app_settings.TELEGRAM_BOT_TOKEN
        if token and not (isinstance(token, str) and _TOKEN.match(token)):
            messages.append(
                Error(
                    "SIGNAL_NOTIFIER['TELEGRAM_BOT_TOKEN'] does not look like a bot token (<digits>:<secret>).",
                    hint="Copy the token @BotFather gave you.",
                    id="signal_notifier.E112",
                )
            )
        messages += check_url("TELEGRAM_API_URL", "signal_notifier.E113")
        messages += check_address_source("TELEGRAM_CHAT_ID", "signal_notifier.E114", cls.channel_name())
        return messages

    def secrets(self) -> list[str]:
        return [str(app_settings.TELEGRAM_BOT_TOKEN or "")]

    @classmethod
    def shares_destination(cls, options: dict[str, Any]) -> bool:
        return options.get("chat_id") not in (None, "")

    def get_address(self, user: Any) -> str | None:
        if self.options.get("chat_id") not in (None, ""):
            return str(self.options["chat_id"])
        chat_id = resolve_address(user, app_settings.TELEGRAM_CHAT_ID)
        if chat_id is None:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no Telegram chat id")
        return chat_id

    def send_batch(self, messages: Sequence[Message]) -> Iterator[SendResult]:
        """One client for the batch; to a shared ``chat_id``, identical messages go once."""
        with self.connection():
            if self.options.get("chat_id") not in (None, ""):
                yield from send_once_per_destination(self, messages, lambda m: (m.address, telegram_html(m)))
            else:
                for message in messages:
                    yield self._attempt(message)

    def send_message(self, message: Message) -> None:
        token = app_settings.TELEGRAM_BOT_TOKEN
        if not token:
            raise PermanentDeliveryError("SIGNAL_NOTIFIER['TELEGRAM_BOT_TOKEN'] is not set")
        payload: dict[str, Any] = {"chat_id": message.address, "text": telegram_html(message), "parse_mode": "HTML"}
        for option in self.flag_names:
            if option in self.options:
                payload[option] = bool(self.options[option])
        url = f"{str(app_settings.TELEGRAM_API_URL).rstrip('/')}/bot{token}/sendMessage"
        response = self.request("POST", url, json=payload)
        if response.is_success:
            return
        self.fail_telegram(response)

    def fail_telegram(self, response: Any) -> None:
        """Classify a Bot API error: 429 waits ``retry_after``; bad token or unknown chat is permanent."""
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        description = self.redact(str(answer.get("description") or response.text[:200]))
        status = response.status_code
        if status == 429:
            retry_after = (answer.get("parameters") or {}).get("retry_after")
            raise TransientDeliveryError(
                f"Telegram rate limit: {description}",
                retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
            )
        if status == 401:
            raise PermanentDeliveryError("Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN")
        if status == 400 and "chat not found" in description.lower():
            raise PermanentDeliveryError(f"Telegram chat not found: {description}")
        if status == 403:
            raise PermanentDeliveryError(f"Telegram refused: {description}")
        self.fail_for_status(response, description)
