"""When an event's messages are due: each step's time, then each recipient's quiet hours.

A step is due at the event's time plus its delay, or at the time a ``send_at`` path gives on the
event's object (plus its offset). A non-urgent step of a subscription due in a recipient's quiet
hours is held until they end, in the recipient's time zone, with the reason in the delivery log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django_signal_notifier.config.specs import BackendSpec, SubscriptionSpec
from django_signal_notifier.config.steps import NoSendTime, send_at_time
from django_signal_notifier.models import Event
from django_signal_notifier.preferences.times import UserTimes


class StepClock:
    """The due times of one event's steps; the step times are worked out once per backend."""

    def __init__(self, event_row: Event, instance: Any, times: dict[Any, UserTimes]) -> None:
        self.event_row = event_row
        self.instance = instance
        self.times = times  # the recipients' delivery times, filled as they are resolved
        self._steps: dict[Any, tuple[datetime | None, str]] = {}

    def step_time(self, backend: BackendSpec) -> tuple[datetime | None, str]:
        """``(due time, "")``, or ``(None, why it is not sent)`` for a send_at step with no usable time."""
        key = backend.id if backend.id is not None else backend.messenger
        if key not in self._steps:
            self._steps[key] = self._step_time(backend)
        return self._steps[key]

    def _step_time(self, backend: BackendSpec) -> tuple[datetime | None, str]:
        start = self.event_row.created_at
        if not backend.send_at:
            return start + timedelta(seconds=backend.delay_seconds), ""
        try:
            when = send_at_time(backend.send_at, backend.offset_seconds, self.instance)
        except NoSendTime as error:
            return None, str(error)
        if when > start:
            return when, ""
        if backend.skip_if_past:
            return None, f"send_at time passed: {when:%Y-%m-%d %H:%M %Z}"
        return start, ""  # already passed: at once

    def held(
        self, subscription: SubscriptionSpec | None, backend: BackendSpec, due: datetime, rids: Any
    ) -> dict[Any, tuple[datetime, str]]:
        """Of ``rids``, those whose quiet hours hold the step: ``{rid: (until, reason)}``."""
        if subscription is None or backend.urgent or backend.fallback or not self.times:
            return {}
        found = {}
        for rid in rids:
            times = self.times.get(rid)
            until = times.quiet_until(due) if times is not None else None
            if until is not None and times is not None:
                found[rid] = (until, times.held_reason(until))
        return found
