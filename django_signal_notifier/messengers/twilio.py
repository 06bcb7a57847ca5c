"""SMS through Twilio's REST Messages API over httpx. Phone numbers are masked in every error."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import httpx
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.addresses import mask_phone, mask_phone_numbers, resolve_address
from django_signal_notifier.messengers.base import Message
from django_signal_notifier.messengers.checks import check_address_source, check_url, require_settings
from django_signal_notifier.messengers.http import HTTPMessenger
from django_signal_notifier.messengers.options import Option
from django_signal_notifier.messengers.registry import messenger_registry

MAX_LENGTH = 1600  # Twilio's limit for one message body
# Twilio error codes that no retry will fix: invalid or unreachable numbers, opted-out recipients.
PERMANENT_CODES = frozenset({21211, 21212, 21408, 21610, 21612, 21614, 21606, 21617, 21660})
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def sms_text(message: Message) -> str:
    """Subject and text (or only one when they are equal), and the link, within Twilio's limit."""
    parts = [message.subject] if message.subject else []
    if message.text and message.text != message.subject:
        parts.append(message.text)
    if message.url:
        parts.append(message.url)
    body = "\n".join(parts)
    return body if len(body) <= MAX_LENGTH else body[: MAX_LENGTH - 1] + "…"


def _message_sid(response: httpx.Response) -> str:
    """The SID Twilio gave the message (its status callbacks name it), "" if the answer has none."""
    try:
        answer = response.json()
    except ValueError:
        return ""
    sid = answer.get("sid") if isinstance(answer, dict) else None
    return str(sid)[:255] if sid else ""


@messenger_registry.register
class TwilioSMSMessenger(HTTPMessenger):
    """Sends each message as an SMS to the recipient's phone number (``TWILIO_PHONE_NUMBER``).

    Backend option: ``from`` (a number or Messaging Service SID; overrides ``TWILIO_FROM``).
    """

    settings_prefix = "TWILIO"  # SIGNAL_NOTIFIER["TWILIO_…"]
    suppression_channel = "sms"

    label = "SMS (Twilio)"
    service = "Twilio"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "from",
            "From",
            "An E.164 number (+15551234567) or a Messaging Service SID (MG…). Empty: SIGNAL_NOTIFIER['TWILIO_FROM'].",
        ),
    )

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        sender = options.get("from")
        if sender is not None and not (isinstance(sender, str) and (_E164.match(sender) or sender.startswith("MG"))):
            raise ValidationError("'from' must be an E.164 number (+15551234567) or a Messaging Service SID (MG…).")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        messages = require_settings(
            cls.channel_name(), ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"), "signal_notifier.E141"
        )
        sid = app_settings.TWILIO_ACCOUNT_SID
        if sid and not (isinstance(sid, str) and re.fullmatch(r"AC[0-9a-fA-F]{32}", sid)):
            messages.append(
                Error(
                    "SIGNAL_NOTIFIER['TWILIO_ACCOUNT_SID'] must look like AC followed by 32 hex digits.",
                    id="signal_notifier.E142",
                )
            )
        sender = app_settings.TWILIO_FROM
        if sender and not (isinstance(sender, str) and (_E164.match(sender) or sender.startswith("MG"))):
            messages.append(
                Error(
                    "SIGNAL_NOTIFIER['TWILIO_FROM'] must be an E.164 number (+15551234567) or a Messaging Service SID (MG…).",
                    id="signal_notifier.E143",
                )
            )
        messages += check_url("TWILIO_API_URL", "signal_notifier.E144")
        messages += check_address_source("TWILIO_PHONE_NUMBER", "signal_notifier.E145", cls.channel_name())
        return messages

    def secrets(self) -> list[str]:
        return [str(app_settings.TWILIO_AUTH_TOKEN or "")]

    def get_address(self, user: Any) -> str | None:
        number = resolve_address(user, app_settings.TWILIO_PHONE_NUMBER)
        if number is None:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no phone number")
        return number.replace(" ", "")

    def send_message(self, message: Message) -> None:
        sid, token = app_settings.TWILIO_ACCOUNT_SID, app_settings.TWILIO_AUTH_TOKEN
        sender = str(self.options.get("from") or app_settings.TWILIO_FROM or "")
        if not (sid and token and sender):
            raise PermanentDeliveryError(
                "Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM"
            )
        if not _E164.match(message.address):
            raise PermanentDeliveryError(f"not an E.164 phone number: {mask_phone(message.address)}")
        form = {"To": message.address, "Body": sms_text(message)}
        form["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
        if app_settings.TWILIO_STATUS_CALLBACK_URL:
            form["StatusCallback"] = str(app_settings.TWILIO_STATUS_CALLBACK_URL)
        url = f"{str(app_settings.TWILIO_API_URL).rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        response = self.request("POST", url, data=form, auth=httpx.BasicAuth(str(sid), str(token)))
        if response.is_success:
            message.provider_message_id = _message_sid(response)
            return
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        code = answer.get("code")
        detail = mask_phone_numbers(self.redact(str(answer.get("message") or response.text[:200])))
        text = f"Twilio error {code}: {detail}" if code else detail
        if code in PERMANENT_CODES:
            raise PermanentDeliveryError(text)
        if response.status_code == 401:
            raise PermanentDeliveryError(f"Twilio rejected the credentials (401): {text}")
        if code == 20429:
            raise TransientDeliveryError(text, retry_after=None)
        self.fail_for_status(response, text)
