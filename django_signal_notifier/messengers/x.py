"""X (Twitter): direct messages to a user's handle, or posts on the site's account, through the X API v2.

Both need a user context: the account the messages come from. Either OAuth 1.0a (the app's
consumer key and secret with the account's access token and secret, which do not expire; each
request is signed, RFC 5849 HMAC-SHA1) or an OAuth 2.0 user access token (``Bearer``, with the
``dm.write``, ``tweet.write`` and ``users.read`` scopes).

A direct message goes to ``POST /2/dm_conversations/with/:participant_id/messages``, the handle
looked up once per batch with ``GET /2/users/by/username/:username``; a post is ``POST /2/tweets``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlsplit

from django.apps import apps
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.addresses import resolve_address
from django_signal_notifier.messengers.base import Message, SendResult
from django_signal_notifier.messengers.checks import channel_in_use, check_address_source, check_url
from django_signal_notifier.messengers.destinations import send_once_per_destination
from django_signal_notifier.messengers.http import HTTPMessenger
from django_signal_notifier.messengers.options import CHOICE, Option
from django_signal_notifier.messengers.registry import messenger_registry

POST_LENGTH = 280
DM_LENGTH = 10_000
# X counts every link as 23 characters, whatever its length (t.co wrapping).
LINK_WEIGHT = 23
_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
OAUTH1_KEYS = ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding, as OAuth 1.0a wants it (only ``A-Z a-z 0-9 - . _ ~`` left as they are)."""
    return quote(value, safe="~")


def oauth1_authorization(
    method: str,
    url: str,
    consumer: tuple[str, str],
    token: tuple[str, str],
    form: dict[str, str] | None = None,
    nonce: str | None = None,
    timestamp: str | None = None,
) -> str:
    """The ``Authorization: OAuth …`` header of one request, signed with HMAC-SHA1 (RFC 5849 §3.4).

    ``consumer`` and ``token`` are (key, secret) pairs. The signature covers the method, the URL
    without its query, the query's parameters, a form-encoded body's parameters (``form``; a JSON
    body is not signed) and the oauth parameters.
    """
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    host = (parts.hostname or "").lower()
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    base_url = f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}"
    oauth = {
        "oauth_consumer_key": consumer[0],
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": timestamp or str(int(time.time())),
        "oauth_token": token[0],
        "oauth_version": "1.0",
    }
    signed = [*parse_qsl(parts.query, keep_blank_values=True), *(form or {}).items(), *oauth.items()]
    normalized = "&".join(f"{k}={v}" for k, v in sorted((percent_encode(k), percent_encode(v)) for k, v in signed))
    base_string = "&".join([method.upper(), percent_encode(base_url), percent_encode(normalized)])
    key = f"{percent_encode(consumer[1])}&{percent_encode(token[1])}"
    signature = base64.b64encode(hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()).decode()
    oauth["oauth_signature"] = signature
    return "OAuth " + ", ".join(f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in sorted(oauth.items()))


def handle_of(user: Any) -> str | None:
    """The default ``X_HANDLE``: the user's own ``x_handle``, else their Profile's (as Telegram's chat id)."""
    own = getattr(user, "x_handle", None)
    if own not in (None, ""):
        return str(own)
    # Looked up, not imported: channels are imported before Django loads the models (pytest plugin).
    profiles = apps.get_model("django_signal_notifier", "Profile")._default_manager
    handle = profiles.filter(user_id=user.pk).values_list("x_handle", flat=True).first()
    return handle or None


def x_text(message: Message, limit: int) -> str:
    """The subject (or text) and the link, cut so that X counts at most ``limit`` characters."""
    words = message.subject or message.text
    if message.text and message.subject and message.text != message.subject and limit > POST_LENGTH:
        words = f"{message.subject}\n\n{message.text}"
    room = limit - (LINK_WEIGHT + 1 if message.url else 0)
    if len(words) > room:
        words = words[: max(0, room - 1)].rstrip() + "…"
    return f"{words}\n{message.url}" if message.url and words else (words or message.url)


@messenger_registry.register
class XMessenger(HTTPMessenger):
    """Sends each message as a direct message to the recipient's X handle, or posts it (``mode``: ``post``).

    The handle comes from ``SIGNAL_NOTIFIER['X_HANDLE']`` (an address source; by default
    :func:`handle_of`). A post is the account's, not a person's: identical posts in a batch go once.
    """

    settings_prefix = "X"  # SIGNAL_NOTIFIER["X_…"]

    label = "X (Twitter)"
    service = "X"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "mode",
            "Send as",
            "A direct message to each recipient's handle (default), or one post on the account.",
            kind=CHOICE,
            choices=(("dm", "Direct message"), ("post", "Post on the account")),
        ),
    )

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self._user_ids: dict[str, str] = {}

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        if options.get("mode") not in (None, "", "dm", "post"):
            raise ValidationError("'mode' must be 'dm' (a direct message to each recipient) or 'post'.")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        messages = check_url("X_API_URL", "signal_notifier.E191")
        given = [key for key in OAUTH1_KEYS if app_settings.raw().get(key)]
        if given and len(given) < len(OAUTH1_KEYS):
            missing = ", ".join(key for key in OAUTH1_KEYS if key not in given)
            messages.append(
                Error(
                    f"OAuth 1.0a for X needs all four keys; missing: {missing}.",
                    hint="Copy them from the app's 'Keys and tokens' page in the X developer portal.",
                    id="signal_notifier.E192",
                )
            )
        if not given and not app_settings.X_BEARER_TOKEN and channel_in_use(cls.channel_name()):
            messages.append(
                Error(
                    "A backend uses XMessenger but neither the OAuth 1.0a keys nor X_BEARER_TOKEN are set.",
                    hint="Set X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET.",
                    id="signal_notifier.E193",
                )
            )
        messages += check_address_source("X_HANDLE", "signal_notifier.E194", cls.channel_name())
        return messages

    def secrets(self) -> list[str]:
        return [str(app_settings.raw().get(key) or "") for key in (*OAUTH1_KEYS, "X_BEARER_TOKEN")]

    @property
    def posting(self) -> bool:
        return self.options.get("mode") == "post"

    @classmethod
    def shares_destination(cls, options: dict[str, Any]) -> bool:
        return options.get("mode") == "post"

    def get_address(self, user: Any) -> str | None:
        if self.posting:
            return "the account's timeline"
        handle = resolve_address(user, app_settings.X_HANDLE)
        if handle is None:
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no X handle")
        return "@" + handle.lstrip("@")

    def send_batch(self, messages: Sequence[Message]) -> Iterator[SendResult]:
        """One client for the batch; identical posts go once, direct messages one by one."""
        with self.connection():
            if self.posting:
                yield from send_once_per_destination(self, messages, lambda m: x_text(m, POST_LENGTH))
            else:
                for message in messages:
                    yield self._attempt(message)

    def send_message(self, message: Message) -> None:
        api = str(app_settings.X_API_URL).rstrip("/")
        if self.posting:
            answer = self.call("POST", f"{api}/2/tweets", {"text": x_text(message, POST_LENGTH)})
            message.provider_message_id = str((answer.get("data") or {}).get("id") or "")
            return
        participant = self.user_id(api, message.address.lstrip("@"))
        url = f"{api}/2/dm_conversations/with/{participant}/messages"
        answer = self.call("POST", url, {"text": x_text(message, DM_LENGTH)})
        message.provider_message_id = str((answer.get("data") or {}).get("dm_event_id") or "")

    def user_id(self, api: str, handle: str) -> str:
        """The numeric id of ``@handle`` (asked once per batch per handle)."""
        if not _HANDLE.match(handle):
            raise PermanentDeliveryError(f"{handle!r} is not an X handle (1 to 15 letters, digits or _)")
        if handle.lower() not in self._user_ids:
            answer = self.call("GET", f"{api}/2/users/by/username/{handle}")
            found = (answer.get("data") or {}).get("id")
            if not found:
                raise PermanentDeliveryError(f"X has no account @{handle}: {self.problems(answer)}")
            self._user_ids[handle.lower()] = str(found)
        return self._user_ids[handle.lower()]

    def authorization(self, method: str, url: str) -> str:
        """The request's ``Authorization`` header: OAuth 1.0a signed, else the OAuth 2.0 user token."""
        keys = [app_settings.raw().get(key) for key in OAUTH1_KEYS]
        if all(keys):
            consumer_key, consumer_secret, token, token_secret = (str(key) for key in keys)
            return oauth1_authorization(method, url, (consumer_key, consumer_secret), (token, token_secret))
        if app_settings.X_BEARER_TOKEN:
            return f"Bearer {app_settings.X_BEARER_TOKEN}"
        raise PermanentDeliveryError("X needs SIGNAL_NOTIFIER's X_CONSUMER_KEY, … (OAuth 1.0a) or X_BEARER_TOKEN")

    def call(self, method: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One API call; the answer's JSON, or the DeliveryError its status means."""
        response = self.request(method, url, json=body, headers={"Authorization": self.authorization(method, url)})
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.is_success:
            return answer
        detail = self.redact(self.problems(answer) or response.text[:200])
        status = response.status_code
        if status == 429:
            reset = response.headers.get("x-rate-limit-reset", "")
            wait = float(reset) - time.time() if reset.isdigit() else None
            raise TransientDeliveryError(f"X rate limit: {detail}", retry_after=max(wait, 1.0) if wait else None)
        if status == 401:
            raise PermanentDeliveryError(f"X refused the credentials (401): check the X_ keys. {detail}")
        if status == 403:
            raise PermanentDeliveryError(f"X refused (403): {detail}")
        self.fail_for_status(response, detail)
        return answer

    @staticmethod
    def problems(answer: dict[str, Any]) -> str:
        """X's error texts (``detail``, or ``errors[].detail``/``title``) joined."""
        found = answer.get("errors")
        errors: list[Any] = found if isinstance(found, list) else []
        texts = [
            str(e.get("detail") or e.get("title") or e.get("message") or "") for e in errors if isinstance(e, dict)
        ]
        if answer.get("detail"):
            texts.insert(0, str(answer["detail"]))
        return "; ".join(text for text in texts if text)
