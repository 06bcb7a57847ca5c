"""Snooze times: the choices the inbox offers, and reading a requested time strictly."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# (seconds, label): what the inbox page and the web component offer.
SNOOZE_CHOICES = (
    (3600, _("For an hour")),
    (4 * 3600, _("For 4 hours")),
    (24 * 3600, _("Until tomorrow")),
    (7 * 24 * 3600, _("For a week")),
)
MIN_SNOOZE = timedelta(minutes=1)
MAX_SNOOZE = timedelta(days=366)


class BadSnooze(ValueError):
    """A snooze time out of range or unreadable; the message says what to send."""


def snooze_until(seconds: str | int | None = None, until: datetime | None = None) -> datetime:
    """The moment to snooze until: ``seconds`` from now, or ``until`` (one of them), within a year."""
    now = timezone.now()
    if (seconds is None) == (until is None):
        raise BadSnooze(_("Send either a number of seconds or a time to snooze until."))
    if seconds is not None:
        text = str(seconds)
        if not text.isascii() or not text.isdigit():
            raise BadSnooze(_("Snooze for a whole number of seconds."))
        until = now + timedelta(seconds=int(text))
    assert until is not None
    if not now + MIN_SNOOZE <= until <= now + MAX_SNOOZE:
        raise BadSnooze(_("Snooze for at least a minute and at most a year."))
    return until
