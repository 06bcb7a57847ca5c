"""Webhooks: a signed JSON POST per message that the receiver can verify.

Two sets of headers carry the same facts:

* the `Standard Webhooks <https://www.standardwebhooks.com/>`_ headers, so a receiver can verify
  with an off-the-shelf library: ``webhook-id`` (``msg_<delivery id>``, the same on every retry),
  ``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of
  ``"<id>.<timestamp>.<body>"``; the key is the secret's bytes, or for a ``whsec_…`` secret the
  base64-decoded rest, as the specification says);
* the package's own: ``X-Signal-Notifier-Timestamp``, ``X-Signal-Notifier-Signature`` (``sha256=`` +
  hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the secret's bytes) and
  ``X-Signal-Notifier-Delivery`` (the delivery id: receivers use it to drop duplicates).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from typing import Any, ClassVar

from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError
from django_signal_notifier.messengers.base import Message
from django_signal_notifier.messengers.checks import channel_in_use, stored_options
from django_signal_notifier.messengers.http import HTTPMessenger
from django_signal_notifier.messengers.options import JSON, SECRET, URL, Option
from django_signal_notifier.messengers.registry import messenger_registry

TIMESTAMP_HEADER = "X-Signal-Notifier-Timestamp"
SIGNATURE_HEADER = "X-Signal-Notifier-Signature"
DELIVERY_HEADER = "X-Signal-Notifier-Delivery"
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"
_STANDARD_SECRET_PREFIX = "whsec_"


def standard_webhook_key(secret: str | bytes) -> bytes:
    """The HMAC key of a Standard Webhooks signature: a ``whsec_`` secret's decoded rest, else its bytes."""
    if isinstance(secret, bytes):
        return secret
    if secret.startswith(_STANDARD_SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(_STANDARD_SECRET_PREFIX) :] + "==")
        except binascii.Error:
            pass  # not base64 after all: its bytes, like any other secret
    return secret.encode()


def sign_standard_webhook(secret: str | bytes, message_id: str, timestamp: int | str, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(standard_webhook_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def sign_webhook(secret: str | bytes, body: bytes, timestamp: int | str) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook_signature(
    secret: str | bytes,
    body: bytes | str,
    timestamp: str | int,
    signature: str,
    tolerance: float = 300,
    now: float | None = None,
) -> bool:
    """Whether a received webhook is authentic and fresh.

    ``body`` is the raw request body (bytes, exactly as received), ``timestamp`` and ``signature``
    the values of the ``X-Signal-Notifier-Timestamp`` and ``X-Signal-Notifier-Signature`` headers.
    A timestamp more than ``tolerance`` seconds away from now is refused (replays).
    """
    if isinstance(body, str):
        body = body.encode()
    try:
        sent_at = int(str(timestamp))
    except ValueError:
        return False
    current = time.time() if now is None else now
    if tolerance is not None and abs(current - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign_webhook(secret, body, sent_at), str(signature))


def webhook_payload(message: Message) -> dict[str, Any]:
    """The JSON document posted for one message."""
    recipient = message.recipient
    return {
        "delivery": message.delivery_id,
        "event": message.event_id,
        "verb": message.verb,
        "recipient": None
        if recipient is None
        else {"id": getattr(recipient, "pk", None), "username": str(getattr(recipient, "get_username", str)())},
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "url": message.url,
        "data": message.data,
    }


@messenger_registry.register
class WebhookMessenger(HTTPMessenger):
    """POSTs each message as signed JSON to the backend's ``url``.

    Backend options: ``url`` (required), ``secret`` (overrides ``SIGNAL_NOTIFIER['WEBHOOK_SECRET']``)
    and ``headers`` (extra request headers).
    """

    settings_prefix = "WEBHOOK"  # SIGNAL_NOTIFIER["WEBHOOK_…"]

    label = "Webhook (signed JSON)"
    service = "Webhook"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option("url", "URL", "Where each message is POSTed: an http:// or https:// URL.", required=True, kind=URL),
        Option(
            "secret",
            "Signing secret",
            "Overrides SIGNAL_NOTIFIER['WEBHOOK_SECRET'] (16 characters or more); the receiver checks the signature.",
            kind=SECRET,
        ),
        Option("headers", "Extra headers", 'A JSON object, e.g. {"Authorization": "Bearer …"}.', kind=JSON),
    )

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        url = options.get("url")
        if not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            raise ValidationError("WebhookMessenger needs a 'url' option: an http:// or https:// URL.")
        if not isinstance(options.get("headers", {}), dict):
            raise ValidationError("The 'headers' option must be a JSON object.")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        secret = app_settings.WEBHOOK_SECRET
        if secret is not None and not (isinstance(secret, str | bytes) and len(secret) >= 16):
            return [
                Error(
                    "SIGNAL_NOTIFIER['WEBHOOK_SECRET'] must be a string of at least 16 characters.",
                    id="signal_notifier.E131",
                )
            ]
        if not secret and channel_in_use(cls.channel_name()):
            unsigned = [pk for pk, options in stored_options(cls.channel_name()) if not options.get("secret")]
            if unsigned:
                return [
                    Warning(
                        f"Webhook backend(s) {', '.join(map(str, unsigned))} send unsigned requests: "
                        "receivers cannot tell them from forgeries.",
                        hint="Set SIGNAL_NOTIFIER['WEBHOOK_SECRET'] or the backend's 'secret' option.",
                        id="signal_notifier.W132",
                    )
                ]
        return []

    def secret(self) -> str:
        return str(self.options.get("secret") or app_settings.WEBHOOK_SECRET or "")

    def secrets(self) -> list[str]:
        return [self.secret()]

    def get_address(self, user: Any) -> str | None:
        return str(self.options.get("url") or "")

    def shows_address(self, address: str) -> bool:
        return False  # the backend's URL, which often carries a token (and the log names the backend)

    def send_message(self, message: Message) -> None:
        if not message.address:
            raise PermanentDeliveryError("the backend has no 'url' option")
        body = json.dumps(webhook_payload(message), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        timestamp = int(time.time())
        headers = {str(k): str(v) for k, v in (self.options.get("headers") or {}).items()}
        # A retry of one delivery keeps its id: receivers drop what they already processed.
        message_id = f"msg_{message.delivery_id}" if message.delivery_id is not None else f"msg_{uuid.uuid4().hex}"
        headers.update(
            {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                STANDARD_ID_HEADER: message_id,
                STANDARD_TIMESTAMP_HEADER: str(timestamp),
            }
        )
        if message.delivery_id is not None:
            headers[DELIVERY_HEADER] = str(message.delivery_id)
        secret = self.secret()
        if secret:
            headers[SIGNATURE_HEADER] = sign_webhook(secret, body, timestamp)
            headers[STANDARD_SIGNATURE_HEADER] = sign_standard_webhook(secret, message_id, timestamp, body)
        response = self.request("POST", message.address, content=body, headers=headers)
        self.fail_for_status(response)
