"""Dispatch: match a send against its candidate triggers and schedule the fan-out after commit.

Nothing here may raise into the code that sent the signal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import router, transaction

from django_signal_notifier.config.matching import matches
from django_signal_notifier.config.specs import TriggerSpec
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.fanout import writer
from django_signal_notifier.models import Event

logger = logging.getLogger("django_signal_notifier.dispatch")


def dispatch(verb: str, sender: Any, kwargs: dict[str, Any], candidates: Sequence[TriggerSpec]) -> None:
    """Called by a receiver on an index hit."""
    if kwargs.get("raw"):
        return  # fixture loading (loaddata) is not an event
    try:
        event = SignalEvent.from_signal(verb, sender, kwargs)
        matched = [spec for spec in candidates if matches(spec, event)]
        if not matched:
            return
        snapshot = event.snapshot()

        using = kwargs.get("using") or router.db_for_write(Event)
    except Exception:
        logger.exception("django-signal-notifier failed to read a %s signal from %r", verb, sender)
        return
    transaction.on_commit(lambda: _fan_out(event, snapshot, matched), using=using)


def _fan_out(event: SignalEvent, snapshot: dict[str, Any], matched: list[TriggerSpec]) -> None:

    names = ", ".join(f"{spec.id} {spec.name!r}" for spec in matched)
    try:
        writer.fan_out(event, snapshot, matched)
        return
    except Exception:
        logger.exception(
            "django-signal-notifier fan-out failed for %s (triggers %s); retrying carefully", event.verb, names
        )
    try:
        writer.fan_out(event, snapshot, matched, careful=True)
    except Exception:
        logger.exception("django-signal-notifier fan-out failed again for %s (triggers %s)", event.verb, names)
