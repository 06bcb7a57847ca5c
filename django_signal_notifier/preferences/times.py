"""When a user wants their messages: their time zone, quiet hours and digest frequency (their Profile).

Read with the recipients (the recipient query LEFT JOINs the profile: no query of its own) and
applied by the fan-out: a non-urgent message due in the recipient's quiet hours is held until
they end; a recipient's digest frequency gathers their plain messages into a digest.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from django_signal_notifier.models.profile import DIGEST_SECONDS, DigestFrequency

# The Profile columns the recipient query reads, through the user's profile relation.
PROFILE = "signal_notifier_profile"
COLUMNS = ("time_zone", "quiet_hours_start", "quiet_hours_end", "digest_frequency")
HELD_PREFIX = "held: quiet hours"


@dataclass(frozen=True)
class UserTimes:
    """One user's delivery times."""

    time_zone: str = ""
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest_frequency: str = ""

    @classmethod
    def from_columns(cls, values: tuple[Any, ...]) -> UserTimes | None:
        """From the :data:`COLUMNS` read with a recipient; None when they ask for nothing special."""
        zone, start, end, frequency = values
        if not (zone or start or end or frequency):
            return None
        return cls(zone or "", _as_time(start), _as_time(end), frequency or "")

    @property
    def zone(self) -> Any:
        """Their time zone (the site's when empty or unknown)."""
        if self.time_zone:
            try:
                return zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        return timezone.get_default_timezone()

    def quiet_until(self, when: datetime) -> datetime | None:
        """The end of the quiet hours ``when`` falls in (aware), or None when it falls in none."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return None
        local = when.astimezone(self.zone)
        now = local.time().replace(tzinfo=None)
        if start < end:  # e.g. 13:00-14:00
            if not start <= now < end:
                return None
            day = local.date()
        else:  # over midnight, e.g. 22:00-07:00
            if end <= now < start:
                return None
            day = local.date() + timedelta(days=1) if now >= start else local.date()
        return datetime.combine(day, end, tzinfo=self.zone)

    def held_reason(self, until: datetime) -> str:
        """The delivery log's reason for a message held until ``until``."""
        local = until.astimezone(self.zone)
        return f"{HELD_PREFIX} until {local:%H:%M} {self.zone}"

    @property
    def digest_seconds(self) -> int | None:
        """Their digest window in seconds; 0 for "immediately"; None when they chose nothing."""
        if self.digest_frequency == DigestFrequency.IMMEDIATELY:
            return 0
        seconds: int | None = (
            DIGEST_SECONDS.get(DigestFrequency(self.digest_frequency)) if self.digest_frequency else None
        )
        return seconds


def _as_time(value: Any) -> time | None:
    if value is None or isinstance(value, time):
        return value
    if isinstance(value, timedelta):  # a raw cursor on MySQL/MariaDB returns TIME as a duration
        return (datetime.min + value).time()
    return time.fromisoformat(str(value))  # a raw cursor on SQLite returns text
