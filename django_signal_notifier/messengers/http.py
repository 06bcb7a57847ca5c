"""The base of the channels that speak HTTP: one httpx client per batch, errors classified.

Transient (retried): timeouts, connection errors, 408, 425, 429 (honouring ``Retry-After``)
and 5xx. Permanent (dead): any other 4xx and redirects. Error texts never carry the secrets
the messenger declares in :meth:`HTTPMessenger.secrets`, and neither do httpx's own log lines.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import httpx

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import PermanentDeliveryError, TransientDeliveryError
from django_signal_notifier.messengers.base import Messenger

TRANSIENT_STATUSES = frozenset({408, 425, 429})
_registered_secrets: set[str] = set()


def redact(text: str, secrets: set[str] | list[str] | tuple[str, ...] | None = None) -> str:
    """``text`` with each secret (and each secret registered by a messenger) replaced by ``***``."""
    for secret in sorted({*(secrets or ()), *_registered_secrets}, key=len, reverse=True):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class _RedactSecrets(logging.Filter):
    """httpx logs every request URL at INFO level (a Telegram URL holds the bot token); apprise
    and urllib3 log theirs at DEBUG level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _registered_secrets:
            return True
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(arg) for arg in record.args)
        return True


def _redacted_arg(arg: Any) -> Any:
    """The argument unchanged, or its redacted text when it holds a secret."""
    if isinstance(arg, int | float):
        return arg
    text = str(arg)
    cleaned = redact(text)
    return arg if cleaned == text else cleaned


def register_secrets(secrets: list[str] | tuple[str, ...]) -> None:
    """Keep these values out of the log lines of httpx, urllib3 and apprise (which log request URLs)."""
    _registered_secrets.update(secret for secret in secrets if secret and len(secret) >= 4)


for _logger_name in ("httpx", "urllib3.connectionpool", "apprise"):
    logging.getLogger(_logger_name).addFilter(_RedactSecrets())


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (only the number-of-seconds form)."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class HTTPMessenger(Messenger):
    """A messenger that posts to an HTTP API: subclasses build the request and read the answer."""

    service: ClassVar[str] = "HTTP"

    _client: httpx.Client | None = None

    def secrets(self) -> list[str]:
        """Values that must never appear in errors or logs (tokens, secret URLs)."""
        return []

    @contextmanager
    def connection(self) -> Iterator[httpx.Client]:
        """One client, so one pool of kept-alive connections, for the whole batch."""
        register_secrets(self.secrets())
        timeout = float(app_settings.HTTP_TIMEOUT)
        client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": "django-signal-notifier"},
            follow_redirects=False,
        )
        self._client = client
        try:
            yield client
        finally:
            self._client = None
            client.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; network failures become TransientDeliveryError."""
        if self._client is None:
            with self.connection():
                return self.request(method, url, **kwargs)
        try:
            return self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise TransientDeliveryError(f"{self.service}: timed out ({type(error).__name__})") from None
        except httpx.TransportError as error:
            raise TransientDeliveryError(
                f"{self.service}: connection failed ({type(error).__name__}: {self.redact(str(error))})"
            ) from None
        except httpx.InvalidURL:
            raise PermanentDeliveryError(f"{self.service}: the URL is invalid") from None

    def redact(self, text: str) -> str:
        return redact(text, self.secrets())

    def fail_for_status(self, response: httpx.Response, detail: str = "") -> None:
        """Raise the right DeliveryError for a response that is not a success."""
        status = response.status_code
        if 200 <= status < 300:
            return
        detail = self.redact(detail or response.text[:300].strip())
        text = f"{self.service} answered HTTP {status}" + (f": {detail}" if detail else "")
        if status == 429:
            raise TransientDeliveryError(text, retry_after=retry_after_seconds(response))
        if status >= 500 or status in TRANSIENT_STATUSES:
            raise TransientDeliveryError(text, retry_after=retry_after_seconds(response))
        raise PermanentDeliveryError(text)
