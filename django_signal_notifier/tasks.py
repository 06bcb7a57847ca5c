"""Tasks: the units of work handed to the configured Tasks API backend."""

from __future__ import annotations

import logging
from typing import Any

from django_signal_notifier.conf import app_settings
from django_signal_notifier.taskapi import task

logger = logging.getLogger("django_signal_notifier.tasks")


@task()
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Claim and send these deliveries (those still due); returns counts per outcome."""
    from django_signal_notifier.outbox import deliver_due

    return deliver_due(ids=delivery_ids)


@task()
def redrive(limit: int = 1000) -> dict[str, int]:
    """Send every due delivery (pending, failed and due, or abandoned by a dead worker)."""
    from django_signal_notifier.outbox import deliver_due

    return deliver_due(limit=limit)


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Enqueue the deliveries in fixed-size batches. A failed enqueue leaves them pending for redrive."""
    from django_signal_notifier.fanout import batched

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
    backend_alias = app_settings.TASK_BACKEND
    try:
        supports_defer = bool(deliver.using(backend=backend_alias).get_backend().supports_defer)
    except Exception:
        logger.exception("django-signal-notifier could not load the task backend %r", backend_alias)
        return
    if not supports_defer:
        return
    for delivery in deliveries:
        try:
            deliver.using(
                backend=backend_alias, queue_name=app_settings.TASK_QUEUE, run_after=delivery.next_attempt_at
            ).enqueue([delivery.pk])
        except Exception:
            logger.exception(
                "django-signal-notifier could not schedule the retry of delivery %s; redrive will send it",
                delivery.pk,
                extra={
                    "delivery_id": delivery.pk,
                    "trigger_id": delivery.trigger_id,
                    "subscription_id": delivery.subscription_id,
                },
            )
