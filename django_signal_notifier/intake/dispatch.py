"""Dispatch: match a send against its candidate triggers and write the event into the outbox.

The Event row (the snapshot and the matched triggers) is written on the sender's connection,
so inside the sender's transaction it commits or rolls back with the sender's change. Under
autocommit the sender's change has committed already when the signal arrives: the row is
written at once, before control returns to the sender (the window left is a process killed
between Django's commit and this write). After commit the fan-out runs from that row: in this
process for its first chunk (at most ``FANOUT_CHUNK_SIZE`` recipients, whatever the audience),
and for the rest too with the immediate task backend; otherwise the rest are tasks on the workers.

Nothing here may raise into the code that sent the signal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import connections, router, transaction

from django_signal_notifier.conf import app_settings
from django_signal_notifier.config.matching import matches
from django_signal_notifier.config.specs import TriggerSpec
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.fanout import chain
from django_signal_notifier.models import Event
from django_signal_notifier.rendering.render import EventView
from django_signal_notifier.taskapi import task_backends

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
        db = router.db_for_write(Event)
        if not connections[db].in_atomic_block:
            _fan_out_now(event, snapshot, matched, db)
            return
        row = chain.record_event(event, snapshot, matched, db)
    except Exception:
        logger.exception("django-signal-notifier failed to record a %s signal from %r", verb, sender)
        return
    view = EventView.from_signal(event)
    transaction.on_commit(lambda: _run(row, view, matched), using=db)


def _fan_out_now(event: SignalEvent, snapshot: dict[str, Any], matched: list[TriggerSpec], db: str) -> None:
    """Autocommit: the event and its first chunk in one transaction."""
    view = EventView.from_signal(event)
    try:
        with transaction.atomic(using=db):
            row = chain.record_event(event, snapshot, matched, db, claimed=True)
            found = chain.run_chunk(row.pk, 0, row=row, view=view, matched=matched, chain=False, claimed=True)
    except Exception:
        logger.exception("django-signal-notifier fan-out failed for %s; retrying carefully", event.verb)
        row = chain.record_event(event, snapshot, matched, db)  # durable first, then each channel on its own
        _run(row, view, matched)
        return
    if found == chain.MORE:
        _run(row, view, matched, step=1)


def _run(row: Event, view: EventView, matched: list[TriggerSpec], step: int = 0) -> None:
    """The first chunk here, with the live event; the rest here too with the immediate backend,
    else as tasks on the workers (the request's share is one chunk, whatever the audience)."""
    try:
        if _runs_in_process():
            chain.run_in_process(row, view, matched, step)
        elif step == 0:
            chain.run_first_chunk(row, view, matched)
        else:
            chain.enqueue_chunk(row.pk, step)
    except Exception:  # the row stays unfinished: the sweeper resumes it
        logger.exception("django-signal-notifier fan-out of event %s failed; redrive will resume it", row.pk)


def _runs_in_process() -> bool:
    """Whether the configured task backend runs tasks at once in this process (the immediate backend)."""
    backend = task_backends[str(app_settings.TASK_BACKEND)]  # once per event: not through Task.using()
    return type(backend).__name__ == "ImmediateBackend"
