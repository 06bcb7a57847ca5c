"""Slack: an incoming webhook, or the Web API's ``chat.postMessage`` with a bot token.

Where a message goes, by the backend's options:

* ``webhook_url``: the webhook's channel;
* ``channel`` (a channel id or name): that channel, through ``chat.postMessage``;
* neither: a direct message to the recipient's Slack member id (``SLACK_USER_ID``).

A channel is not a person: identical messages bound for one channel in one batch are posted once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.addresses import resolve_address
from django_signal_notifier.messengers.base import Message, SendResult
from django_signal_notifier.messengers.checks import (
    check_address_source,
    check_url,
    stored_options,
)
from django_signal_notifier.messengers.destinations import send_once_per_destination
from django_signal_notifier.messengers.http import HTTPMessenger
from django_signal_notifier.messengers.options import SECRET, Option
from django_signal_notifier.messengers.registry import messenger_registry

# chat.postMessage errors worth retrying; every other "ok": false is permanent.
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(message: Message) -> str:
    """The message in Slack mrkdwn: bold subject, text, a link."""
    parts = []
    if message.subject:
        parts.append(f"*{escape_mrkdwn(message.subject)}*")
    if message.text and message.text != message.subject:
        parts.append(escape_mrkdwn(message.text))
    if message.url:
        parts.append(f"<{message.url}>")
    return "\n".join(parts)


def _stored_options() -> list[dict[str, Any]]:
    return [options for _, options in stored_options(SlackMessenger.channel_name())]


@messenger_registry.register
class SlackMessenger(HTTPMessenger):
    """Posts each message to Slack. Options: ``webhook_url`` or ``channel`` (see the module)."""

    settings_prefix = "SLACK"  # SIGNAL_NOTIFIER["SLACK_…"]

    label = "Slack"
    service = "Slack"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "webhook_url",
            "Incoming webhook URL",
            "The https://hooks.slack.com/… URL Slack gave for the webhook: messages go to its channel.",
            kind=SECRET,
        ),
        Option(
            "channel",
            "Channel",
            "Instead of a webhook: a channel id or name (#alerts), posted with SIGNAL_NOTIFIER['SLACK_BOT_TOKEN']. "
            "Neither option: each recipient gets a direct message.",
        ),
    )

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        url = options.get("webhook_url")
        if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            raise ValidationError("'webhook_url' must be the https:// URL Slack gave for the incoming webhook.")
        if url and options.get("channel"):
            raise ValidationError("Give either 'webhook_url' or 'channel', not both.")
        if not url and not options.get("channel") and not app_settings.SLACK_BOT_TOKEN:
            raise ValidationError(
                "Missing option 'webhook_url' or 'channel': give the incoming webhook's URL, or a channel with "
                "SIGNAL_NOTIFIER['SLACK_BOT_TOKEN'] set (with the token and neither option, each user gets a DM)."
            )

    @classmethod
    def check(cls) -> list[CheckMessage]:
        messages = check_url("SLACK_API_URL", "signal_notifier.E121")
        stored = _stored_options()
        if "SLACK_USER_ID" in app_settings.raw() or any(
            not (options.get("webhook_url") or options.get("channel")) for options in stored
        ):
            messages += check_address_source("SLACK_USER_ID", "signal_notifier.E122", cls.channel_name())
        if not app_settings.SLACK_BOT_TOKEN and any(not options.get("webhook_url") for options in stored):
            messages.append(
                Error(
                    "A SlackMessenger backend has no 'webhook_url' but SIGNAL_NOTIFIER['SLACK_BOT_TOKEN'] is not set.",
                    hint="Set a bot token (xoxb-…) for chat.postMessage, or give the backend an incoming webhook URL.",
                    id="signal_notifier.E123",
                )
            )
        return messages

    def secrets(self) -> list[str]:
        return [str(app_settings.SLACK_BOT_TOKEN or ""), str(self.options.get("webhook_url") or "")]

    def get_address(self, user: Any) -> str | None:
        if self.options.get("webhook_url"):
            return "webhook"
        if self.options.get("channel"):
            return str(self.options["channel"])
        member = resolve_address(user, app_settings.SLACK_USER_ID)
        if member is None:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no Slack member id")
        return member

    def send_batch(self, messages: Sequence[Message]) -> Iterator[SendResult]:
        """Posts identical messages for one channel once; direct messages are posted one by one."""
        shared_destination = bool(self.options.get("webhook_url") or self.options.get("channel"))
        with self.connection():
            if shared_destination:
                yield from send_once_per_destination(self, messages, lambda m: (m.address, slack_text(m)))
            else:
                for message in messages:
                    yield self._attempt(message)

    @classmethod
    def shares_destination(cls, options: dict[str, Any]) -> bool:
        return bool(options.get("webhook_url") or options.get("channel"))

    def send_message(self, message: Message) -> None:
        text = slack_text(message)
        webhook_url = self.options.get("webhook_url")
        if webhook_url:
            response = self.request("POST", str(webhook_url), json={"text": text})
            if response.status_code == 404 or response.status_code == 410:
                raise PermanentDeliveryError(f"Slack webhook is gone ({response.status_code}): {response.text[:100]}")
            self.fail_for_status(response)
            return
        token = app_settings.SLACK_BOT_TOKEN
        if not token:
            raise PermanentDeliveryError("SIGNAL_NOTIFIER['SLACK_BOT_TOKEN'] is not set (needed without a webhook_url)")
        url = f"{str(app_settings.SLACK_API_URL).rstrip('/')}/chat.postMessage"
        response = self.request(
            "POST",
            url,
            json={"channel": message.address, "text": text, "unfurl_links": False},
            headers={"Authorization": f"Bearer {token}"},
        )
        self.fail_for_status(response)
        try:
            answer = response.json()
        except ValueError:
            raise TransientDeliveryError("Slack answered with something that is not JSON") from None
        if answer.get("ok"):
            return
        error = str(answer.get("error") or "unknown_error")
        if error in TRANSIENT_ERRORS:
            raise TransientDeliveryError(f"Slack error: {error}")
        raise PermanentDeliveryError(f"Slack error: {error}")
