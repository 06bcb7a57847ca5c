"""Dispatch: match a send against its candidate triggers and write the event into the outbox.

The Event row (the snapshot and the matched triggers) is written on the sender's connection,
so inside the sender's transaction it commits or rolls back with the sender's change. Under
autocommit the sender's change has committed already when the signal arrives: the row is
written at once, before control returns to the sender (the window left is a process killed
between Django's commit and this write). After commit the fan-out runs from that row: with the
immediate task backend in this process, chunk after chunk (the message is there when ``save()``
returns); with a queueing backend as tasks on the workers, one per chunk of ``FANOUT_CHUNK_SIZE``
recipients, so the request pays for one INSERT and one enqueue whatever the audience.

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
from django_signal_notifier.events import live
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
        in_process = _runs_in_process()
        if not connections[db].in_atomic_block:
            if in_process:
                _fan_out_now(event, snapshot, matched, db)
            else:  # autocommit: the row is committed by its INSERT; the workers do the rest
                chain.enqueue_chunk(chain.record_event(event, snapshot, matched, db).pk, 0)
            return
        row = chain.record_event(event, snapshot, matched, db)
        if in_process:
            live.remember(row.pk, event)
        if not in_process:
            transaction.on_commit(lambda: chain.enqueue_chunk(row.pk, 0), using=db)
            return
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
            live.remember(row.pk, event)
            found = chain.run_chunk(row.pk, 0, row=row, view=view, matched=matched, chain=False, claimed=True)
    except Exception:
        logger.exception("django-signal-notifier fan-out failed for %s; retrying carefully", event.verb)
        row = chain.record_event(event, snapshot, matched, db)  # durable first, then each channel on its own
        live.remember(row.pk, event)
        _run(row, view, matched)
        return
    if found == chain.MORE:
        _run(row, view, matched, step=1)


def _run(row: Event, view: EventView, matched: list[TriggerSpec], step: int = 0) -> None:
    """The immediate backend: the whole fan-out now, in this process, from the live event."""
    try:
        chain.run_in_process(row, view, matched, step)
    except Exception:  # the row stays unfinished: the sweeper resumes it
        logger.exception("django-signal-notifier fan-out of event %s failed; redrive will resume it", row.pk)


def _runs_in_process() -> bool:
    """Whether the configured task backend runs tasks at once in this process (the immediate backend)."""
    backend = task_backends[str(app_settings.TASK_BACKEND)]  # once per event: not through Task.using()
    return type(backend).__name__ == "ImmediateBackend"
