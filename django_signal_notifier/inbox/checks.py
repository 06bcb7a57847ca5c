"""System checks for the inbox settings (run through ``InSiteMessenger.check()``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error

from django_signal_notifier.conf import DEFAULTS, app_settings


def check_inbox_settings() -> list[CheckMessage]:
    """Positive page sizes and poll interval, a configured cache alias."""
    messages: list[CheckMessage] = []
    raw = app_settings.raw()
    for key in ("INBOX_PAGE_SIZE", "INBOX_MAX_PAGE_SIZE", "INBOX_POLL_INTERVAL"):
        value = raw.get(key, DEFAULTS[key])
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER[{key!r}] must be a positive integer, not {value!r}.",
                    hint="Inbox page sizes count notifications; INBOX_POLL_INTERVAL counts seconds.",
                    id="signal_notifier.E161",
                )
            )
    page, most = raw.get("INBOX_PAGE_SIZE", 20), raw.get("INBOX_MAX_PAGE_SIZE", 100)
    if isinstance(page, int) and isinstance(most, int) and page > most:
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER['INBOX_PAGE_SIZE'] ({page}) exceeds INBOX_MAX_PAGE_SIZE ({most}).",
                hint="Raise INBOX_MAX_PAGE_SIZE or lower INBOX_PAGE_SIZE.",
                id="signal_notifier.E162",
            )
        )
    timeout = raw.get("INBOX_CACHE_TIMEOUT", DEFAULTS["INBOX_CACHE_TIMEOUT"])
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER['INBOX_CACHE_TIMEOUT'] must be a number of seconds ≥ 0, not {timeout!r}.",
                id="signal_notifier.E163",
            )
        )
    alias = raw.get("INBOX_CACHE", DEFAULTS["INBOX_CACHE"])
    if alias not in settings.CACHES:
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER['INBOX_CACHE'] names the cache {alias!r}, which is not in CACHES.",
                hint=f"Use one of: {', '.join(sorted(settings.CACHES)) or '(none configured)'}.",
                id="signal_notifier.E164",
            )
        )
    return messages
