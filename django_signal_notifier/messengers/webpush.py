"""Web Push: a notification to every browser a user subscribed (RFC 8030, ``pip install django-signal-notifier[webpush]``).

The payload is encrypted for each subscription (RFC 8291, ``aes128gcm``, through pywebpush) and
the request signed with the site's VAPID key (RFC 8292, through py-vapid), then POSTed to the
push service over the batch's one httpx client. A subscription the push service answers 404 or
410 is gone for good: its :class:`~django_signal_notifier.models.WebPushDevice` row is deleted.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.apps import apps
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError
from django.utils import timezone

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.base import Message
from django_signal_notifier.messengers.checks import check_optional_package, require_settings
from django_signal_notifier.messengers.http import TRANSIENT_STATUSES, HTTPMessenger, retry_after_seconds
from django_signal_notifier.messengers.options import CHOICE, Option
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.messengers.webpush_hosts import (
    NonPublicAddress,
    checked_address,
    endpoint_host,
    endpoint_problem,
    host_header,
    pinned_url,
)

URGENCIES = ("very-low", "low", "normal", "high")
# RFC 8030 §5.4: a topic is at most 32 characters of the URL-safe base64 alphabet.
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# How long a VAPID token is valid (RFC 8292 allows at most 24 hours).
VAPID_TOKEN_SECONDS = 12 * 3600
GONE_STATUSES = frozenset({404, 410})


def device_rows() -> Any:
    """The manager of :class:`~django_signal_notifier.models.WebPushDevice`.

    Looked up, not imported: channels are imported before Django loads the models (pytest plugin, settings).
    """
    return apps.get_model("django_signal_notifier", "WebPushDevice")._default_manager


def vapid_key(private_key: str) -> Any:
    """The VAPID key pair of ``private_key`` (PEM, or base64url DER or raw 32 bytes) as a py-vapid ``Vapid02``."""
    from py_vapid import Vapid02

    text = private_key.strip()
    if text.startswith("-----BEGIN"):
        return Vapid02.from_pem(text.encode())
    return Vapid02.from_string(text)


def new_private_key() -> str:
    """A new VAPID private key: a P-256 key as base64url of its 32 raw bytes (one line, fit for an environment variable)."""
    from py_vapid import Vapid02
    from py_vapid.utils import b64urlencode

    key = Vapid02()
    key.generate_keys()
    return str(b64urlencode(key.private_key.private_numbers().private_value.to_bytes(32, "big")))


def application_server_key(private_key: str) -> str:
    """The public half of the VAPID key, base64url, as ``pushManager.subscribe({applicationServerKey})`` wants it."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid.utils import b64urlencode

    public = vapid_key(private_key).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return str(b64urlencode(public))


def configured_public_key() -> str | None:
    """The application server key of ``WEBPUSH_VAPID_PRIVATE_KEY``; None without a key or without pywebpush."""
    private_key = app_settings.WEBPUSH_VAPID_PRIVATE_KEY
    if not private_key:
        return None
    try:
        return application_server_key(str(private_key))
    except ImportError:
        return None


def public_key_problem(p256dh: str) -> str | None:
    """Why a subscription's ``p256dh`` key cannot be encrypted to (not a P-256 point), or None."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:  # without pywebpush (and its cryptography) the key is checked when sent
        return None
    padded = p256dh.rstrip("=") + "=" * (-len(p256dh.rstrip("=")) % 4)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error):
        return "Not a point of the P-256 curve: send the key the browser gave."
    return None


def push_payload(message: Message) -> bytes:
    """What the service worker receives: JSON with the title, body, link and the message's data."""
    payload = {"title": message.subject, "body": message.text, "url": message.url, "data": message.data}
    return json.dumps(payload, ensure_ascii=False, default=str).encode()


def encrypt(device: Any, payload: bytes) -> bytes:
    """``payload`` encrypted for ``device`` (RFC 8291 ``aes128gcm``: an ephemeral ECDH key, its salt and record)."""
    from pywebpush import WebPusher, WebPushException

    try:
        return bytes(WebPusher(device.subscription_info()).encode(payload, "aes128gcm")["body"])
    except (WebPushException, ValueError) as error:
        raise PermanentDeliveryError(f"the subscription's keys are unusable: {error}") from None


@messenger_registry.register
class WebPushMessenger(HTTPMessenger):
    """Sends each message to every Web Push subscription of the recipient.

    Options: ``ttl`` (seconds the push service keeps an undelivered message), ``urgency``
    (``very-low``, ``low``, ``normal``, ``high``) and ``topic`` (a newer message with the same topic
    replaces an undelivered one). A user with no subscription is skipped.
    """

    settings_prefix = "WEBPUSH"  # SIGNAL_NOTIFIER["WEBPUSH_…"]

    label = "Web Push"
    service = "Web Push"
    requires: ClassVar[tuple[str, ...]] = ("pywebpush",)
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option("ttl", "TTL (seconds)", "How long the push service keeps a message for an offline browser."),
        Option(
            "urgency",
            "Urgency",
            "How urgently the browser is woken up for the message.",
            kind=CHOICE,
            choices=tuple((urgency, urgency) for urgency in URGENCIES),
        ),
        Option("topic", "Topic", "Up to 32 letters, digits, - or _: a newer message replaces an undelivered one."),
    )

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        ttl = options.get("ttl")
        if ttl is not None and not (isinstance(ttl, int | str) and not isinstance(ttl, bool) and str(ttl).isdigit()):
            raise ValidationError("'ttl' must be a whole number of seconds (0 or more).")
        urgency = options.get("urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise ValidationError(f"'urgency' must be one of {', '.join(URGENCIES)}.")
        topic = options.get("topic")
        if topic is not None and not (isinstance(topic, str) and _TOPIC.match(topic)):
            raise ValidationError("'topic' must be 1 to 32 letters, digits, '-' or '_' (RFC 8030).")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        messages = check_optional_package(cls.channel_name(), "pywebpush", "webpush", "signal_notifier.E181")
        messages += require_settings(
            cls.channel_name(), ("WEBPUSH_VAPID_PRIVATE_KEY", "WEBPUSH_VAPID_SUBJECT"), "signal_notifier.E182"
        )
        private_key = app_settings.WEBPUSH_VAPID_PRIVATE_KEY
        if private_key and not messages:
            try:
                application_server_key(str(private_key))
            except Exception as error:
                messages.append(
                    Error(
                        f"SIGNAL_NOTIFIER['WEBPUSH_VAPID_PRIVATE_KEY'] is not a usable P-256 private key: {error}",
                        hint="Generate one with `manage.py signal_notifier vapid`.",
                        id="signal_notifier.E183",
                    )
                )
        subject = app_settings.WEBPUSH_VAPID_SUBJECT
        if subject and not str(subject).startswith(("mailto:", "https://")):
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER['WEBPUSH_VAPID_SUBJECT'] must be a mailto: or https: URL, not {subject!r}.",
                    hint="Push services contact this address about your traffic: 'mailto:ops@example.org'.",
                    id="signal_notifier.E184",
                )
            )
        urgency = app_settings.WEBPUSH_URGENCY
        if urgency not in URGENCIES:
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER['WEBPUSH_URGENCY'] must be one of {', '.join(URGENCIES)}, not {urgency!r}.",
                    id="signal_notifier.E185",
                )
            )
        allowed = app_settings.WEBPUSH_ALLOWED_HOSTS
        if allowed is not None and not (
            isinstance(allowed, list | tuple) and all(isinstance(host, str) and host for host in allowed)
        ):
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER['WEBPUSH_ALLOWED_HOSTS'] must be a list of host names, not {allowed!r}.",
                    hint="For example ['fcm.googleapis.com', '.push.services.mozilla.com']; None or ['*']: any "
                    "public host.",
                    id="signal_notifier.E188",
                )
            )
        max_devices = app_settings.WEBPUSH_MAX_DEVICES
        if not (isinstance(max_devices, int) and not isinstance(max_devices, bool) and max_devices >= 1):
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER['WEBPUSH_MAX_DEVICES'] must be a whole number of 1 or more, not {max_devices!r}.",
                    id="signal_notifier.E189",
                )
            )
        return messages

    def secrets(self) -> list[str]:
        return [str(app_settings.WEBPUSH_VAPID_PRIVATE_KEY or "")]

    def get_address(self, user: Any) -> str | None:
        count = device_rows().filter(user_id=getattr(user, "pk", None)).count()
        if not count:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no Web Push subscription")
        return f"{count} browser(s)"

    def push_headers(self, endpoint: str) -> dict[str, str]:
        """The headers of one push request: VAPID authorization, encoding, TTL, urgency and topic."""
        private_key = app_settings.WEBPUSH_VAPID_PRIVATE_KEY
        subject = app_settings.WEBPUSH_VAPID_SUBJECT
        if not private_key or not subject:
            raise PermanentDeliveryError(
                "SIGNAL_NOTIFIER['WEBPUSH_VAPID_PRIVATE_KEY'] and ['WEBPUSH_VAPID_SUBJECT'] must be set"
            )
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + VAPID_TOKEN_SECONDS,
            "sub": str(subject),
        }
        headers = dict(vapid_key(str(private_key)).sign(claims))
        headers.update(
            {
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                "TTL": str(int(self.options.get("ttl", app_settings.WEBPUSH_TTL))),
                "Urgency": str(self.options.get("urgency") or app_settings.WEBPUSH_URGENCY),
            }
        )
        if self.options.get("topic"):
            headers["Topic"] = str(self.options["topic"])
        return headers

    def send_message(self, message: Message) -> None:
        """Push to each of the recipient's subscriptions; sent when one browser accepted it.

        Without any acceptance: a transient failure is retried, subscriptions that are all gone
        skip the delivery (their rows deleted), other refusals make it dead.
        """
        user_id = getattr(message.recipient, "pk", None)
        devices = list(device_rows().filter(user_id=user_id))
        if not devices:
            raise SkipDelivery(f"user {user_id} has no Web Push subscription")
        payload = push_payload(message)
        accepted: list[int] = []
        gone: list[int] = []
        transient: list[TransientDeliveryError] = []
        refused: list[str] = []
        for device in devices:
            try:
                status = self.push(device, payload)
            except TransientDeliveryError as error:
                transient.append(error)
                continue
            except PermanentDeliveryError as error:
                refused.append(str(error))
                continue
            (gone if status in GONE_STATUSES else accepted).append(device.pk)
        if gone:
            device_rows().filter(pk__in=gone).delete()
        if accepted:
            device_rows().filter(pk__in=accepted).update(last_used_at=timezone.now())
            return
        if transient:
            raise TransientDeliveryError(
                "; ".join(str(error) for error in transient),
                retry_after=max((error.retry_after or 0.0 for error in transient), default=0.0) or None,
            )
        if refused:
            raise PermanentDeliveryError("; ".join(refused))
        raise SkipDelivery(f"every Web Push subscription of user {user_id} is gone (404/410): {len(gone)} removed")

    @staticmethod
    def check_destination(endpoint: str) -> str | None:
        """The address to connect to for ``endpoint`` (None when the address check is off), checked.

        Refuses (dead) an endpoint the server must not POST to: its host not allowed, or not public
        once resolved. Checked at each send, not only at registration: rows saved before a setting
        changed, or in the admin, and names whose DNS changed since (see webpush_hosts).
        """
        problem = endpoint_problem(endpoint)
        if problem:
            raise PermanentDeliveryError(f"refused: {problem}")
        try:
            return checked_address(endpoint)
        except NonPublicAddress as error:
            raise PermanentDeliveryError(str(error)) from None
        except OSError as error:
            raise TransientDeliveryError(
                f"the push service host of {urlsplit(endpoint).netloc} does not resolve: {error}"
            ) from None

    def push(self, device: Any, payload: bytes) -> int:
        """POST ``payload`` to one subscription; the status when accepted or gone, else a DeliveryError."""
        address = self.check_destination(device.endpoint)
        body = encrypt(device, payload)
        headers = self.push_headers(device.endpoint)
        url, extensions = device.endpoint, {}
        if address is not None:
            # Connect to the address just checked, not to a new lookup's answer (DNS rebinding);
            # the name still goes in Host and in TLS SNI, which httpcore also verifies the certificate against.
            url = pinned_url(device.endpoint, address)
            headers["Host"] = host_header(device.endpoint)
            extensions = {"sni_hostname": endpoint_host(device.endpoint)}
        response = self.request("POST", url, content=body, headers=headers, extensions=extensions)
        status = response.status_code
        if 200 <= status < 300 or status in GONE_STATUSES:
            return status
        detail = self.redact(response.text[:200].strip())
        text = f"Web Push service {urlsplit(device.endpoint).netloc} answered HTTP {status}" + (
            f": {detail}" if detail else ""
        )
        if status >= 500 or status in TRANSIENT_STATUSES:
            raise TransientDeliveryError(text, retry_after=retry_after_seconds(response))
        if status == 413:
            raise PermanentDeliveryError(f"{text} (the message is over the push service's 4 KB limit)")
        raise PermanentDeliveryError(text)
