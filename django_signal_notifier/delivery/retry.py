"""Retry policy: exponential backoff with jitter, bounded by a maximum delay and attempts."""

from __future__ import annotations

import random

from django_signal_notifier.conf import app_settings
from django_signal_notifier.exceptions import DeliveryError, PermanentDeliveryError, TransientDeliveryError


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``attempt``-th failure (1-based); honours a server's retry-after."""
    base = float(app_settings.RETRY_BASE_DELAY)
    ceiling = float(app_settings.RETRY_MAX_DELAY)
    backoff = min(ceiling, base * (2 ** max(0, attempt - 1)))
    delay = backoff * random.uniform(0.5, 1.0)  # jitter spreads retries of a failed batch
    if retry_after is not None:
        delay = max(delay, min(float(retry_after), ceiling))
    return float(delay)


def gives_up(attempts: int) -> bool:
    """Whether a delivery that failed ``attempts`` times is dead."""
    return attempts >= int(app_settings.MAX_ATTEMPTS)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from an HTTP ``Retry-After`` header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    from django.utils import timezone

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def error_for_http_status(status: int, body: str = "", retry_after: str | None = None) -> DeliveryError | None:
    """The delivery error an HTTP response means, or None for a success (2xx/3xx).

    429 (rate limited), 408 and 5xx are transient (429 and 503 honour ``Retry-After``); any
    other 4xx is permanent: sending the same request again cannot succeed.
    """
    if status < 400:
        return None
    detail = f"HTTP {status}" + (f": {body[:500]}" if body else "")
    if status in (408, 425, 429) or status >= 500:
        return TransientDeliveryError(detail, retry_after=parse_retry_after(retry_after))
    return PermanentDeliveryError(detail)
