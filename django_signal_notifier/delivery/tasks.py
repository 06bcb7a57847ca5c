"""Tasks: the units of work handed to the configured Tasks API backend."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import DatabaseError, router

from django_signal_notifier.conf import app_settings
from django_signal_notifier.delivery.outbox import deliver_due, leased_elsewhere, schedule_retries_with
from django_signal_notifier.models.bulk import batched
from django_signal_notifier.models.heartbeat import SWEEPER, Heartbeat
from django_signal_notifier.taskapi import task

logger = logging.getLogger("django_signal_notifier.tasks")


@task()
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Claim and send these deliveries (those still due); returns counts per outcome.

    Deliveries still leased by another worker are looked at again when the lease ends: a live
    worker will have finished them (nothing to do), a dead one left them to be taken over. This
    matters when a broker redelivers a dead worker's message before its lease expired.
    """

    claimed: set[int] = set()
    counts = deliver_due(ids=delivery_ids, claimed_ids=claimed)
    unclaimed = [pk for pk in delivery_ids if pk not in claimed]
    held = leased_elsewhere(unclaimed) if unclaimed else []
    if held:
        defer_deliveries(held)
    return counts


# What else the sweeper resumes first (the fan-out registers its unfinished events here).
_sweepers: list[Callable[[], Any]] = []


def sweep_with(sweeper: Callable[[], Any]) -> None:
    """Have ``redrive`` also call ``sweeper()`` (once per run, before sending)."""
    if sweeper not in _sweepers:
        _sweepers.append(sweeper)


def sweep() -> None:
    """Resume what dead processes left before sending: unfinished fan-outs; record the heartbeat."""
    for sweeper in _sweepers:
        try:
            sweeper()
        except Exception:
            logger.exception("django-signal-notifier: the sweeper %r failed", sweeper)
    try:
        Heartbeat.beat(SWEEPER, using=router.db_for_write(Heartbeat))
    except DatabaseError:
        logger.exception("django-signal-notifier: could not record the sweeper's heartbeat")


@task()
def redrive(limit: int = 1000) -> dict[str, int]:
    """The sweeper: resume unfinished fan-outs, then send every due delivery (pending, failed and
    due, or abandoned by a dead worker). Run it periodically with any queueing backend."""
    sweep()
    return deliver_due(limit=limit)


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Enqueue the deliveries in fixed-size batches. A failed enqueue leaves them pending for redrive."""

    size = int(app_settings.DELIVERY_BATCH_SIZE)
    target: Any = deliver.using(backend=app_settings.TASK_BACKEND, queue_name=app_settings.TASK_QUEUE)
    for chunk in batched(delivery_ids, size):
        try:
            target.enqueue(chunk)
        except Exception:
            logger.exception(
                "django-signal-notifier could not enqueue %d deliveries; they stay pending "
                "and `manage.py signal_notifier redrive` will send them",
                len(chunk),
            )


def schedule_retries(deliveries: list[Any]) -> None:
    """Enqueue failed deliveries for their next attempt when the backend can defer tasks.

    Backends that cannot defer (the immediate backend) leave retries to ``signal_notifier
    redrive`` / the ``redrive`` task run periodically; the rows stay due either way.
    """
    defer_deliveries([(delivery.pk, delivery.next_attempt_at) for delivery in deliveries])


def defer_batches(due_at: dict[datetime, list[int]]) -> None:
    """Enqueue the deliveries due later (delayed steps) to run at their time, if the backend can defer.

    One task per batch of ``DELIVERY_BATCH_SIZE`` ids due at the same time. Backends that cannot
    defer leave them to the sweeper (``signal_notifier redrive``), which sends them once due.
    """
    backend_alias = app_settings.TASK_BACKEND
    try:
        supports_defer = bool(deliver.using(backend=backend_alias).get_backend().supports_defer)
    except Exception:
        logger.exception("django-signal-notifier could not load the task backend %r", backend_alias)
        return
    if not supports_defer:
        return
    size = int(app_settings.DELIVERY_BATCH_SIZE)
    for when, ids in due_at.items():
        target: Any = deliver.using(backend=backend_alias, queue_name=app_settings.TASK_QUEUE, run_after=when)
        for chunk in batched(ids, size):
            try:
                target.enqueue(chunk)
            except Exception:
                logger.exception(
                    "django-signal-notifier could not schedule %d delayed deliveries; redrive will send them when due",
                    len(chunk),
                )


def defer_deliveries(due_at: list[tuple[int, datetime]]) -> None:
    """Enqueue ``deliver([id])`` to run at each given time, if the task backend can defer."""
    backend_alias = app_settings.TASK_BACKEND
    try:
        supports_defer = bool(deliver.using(backend=backend_alias).get_backend().supports_defer)
    except Exception:
        logger.exception("django-signal-notifier could not load the task backend %r", backend_alias)
        return
    if not supports_defer:
        return
    for delivery_id, when in due_at:
        try:
            deliver.using(backend=backend_alias, queue_name=app_settings.TASK_QUEUE, run_after=when).enqueue(
                [delivery_id]
            )
        except Exception:
            logger.exception(
                "django-signal-notifier could not schedule delivery %s; redrive will send it",
                delivery_id,
                extra={"delivery_id": delivery_id},
            )


schedule_retries_with(schedule_retries)
