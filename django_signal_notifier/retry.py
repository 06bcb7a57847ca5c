"""Retry policy: exponential backoff with jitter, bounded by a maximum delay and attempts."""

from __future__ import annotations

import random

from django_signal_notifier.conf import app_settings


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
