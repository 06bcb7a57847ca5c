"""The fan-out as a chain of chunks, run from the Event row: the transactional outbox.

The Event row and the ids of its matched triggers are written in the sender's own transaction
(:mod:`django_signal_notifier.intake.dispatch`). After commit the fan-out runs chunk by chunk:
each chunk reads at most ``FANOUT_CHUNK_SIZE`` recipients in keyset order, writes their inbox and
Delivery rows and moves the event's position, in one transaction; then the next chunk is
enqueued as a task of its own. A chunk only commits if the event still stands where it started
(``fanout_step``): a chunk run twice (a redelivered task, the sweeper racing a slow worker)
writes nothing the second time, and a chunk killed half-way leaves nothing but its position,
from which :func:`resume_unfinished` starts it again.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Field, Q
from django.utils import timezone

from django_signal_notifier import telemetry
from django_signal_notifier.conf import app_settings
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.config.specs import TriggerSpec
from django_signal_notifier.delivery import tasks as delivery_tasks
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.fanout.writer import OutboxWriter, event_fields
from django_signal_notifier.inbox.cache import in_own_transaction
from django_signal_notifier.models import Event
from django_signal_notifier.models.bulk import insert_one
from django_signal_notifier.rendering.render import EventView
from django_signal_notifier.taskapi import task

logger = logging.getLogger("django_signal_notifier.fanout")


class _Moved(Exception):
    """The event moved on while this chunk ran: another run wrote it (roll this one back)."""


# What run_chunk found: nothing to do (done, or another run took the step), the last chunk, or more.
NOTHING, LAST, MORE = 0, 1, 2
# What a chunk's claim sets, in the order of its SQL's parameters.
CLAIM_COLUMNS = ("fanout_step", "fanout_done", "fanout_position", "fanout_updated_at")


def record_event(
    event: SignalEvent, snapshot: dict[str, Any], matched: list[TriggerSpec], using: str, claimed: bool = False
) -> Event:
    """Write the Event row on the sender's connection: inside its transaction when it has one.

    ``claimed``: the caller writes the first chunk in this same transaction (the row is written
    as past its first step, which saves the claim's UPDATE).
    """
    row = Event(
        **event_fields(event.verb, snapshot),
        trigger_ids=[spec.id for spec in matched],
        fanout_done=claimed,
        fanout_position={},
        fanout_step=1 if claimed else 0,
        fanout_updated_at=timezone.now(),
    )
    insert_one(row, using)
    return row


def run_chunk(
    event_id: int,
    step: int,
    *,
    row: Event | None = None,
    view: EventView | None = None,
    matched: list[TriggerSpec] | None = None,
    careful: bool = False,
    chain: bool = True,
    claimed: bool = False,
) -> int:
    """Write the chunk of ``event_id`` that stands at ``step``: NOTHING (done already), LAST or MORE.

    ``row``, ``view`` and ``matched`` are the live event's when the chunk runs in the sending
    process right after its commit (no re-read); a worker reads them from the row.
    """
    db = router.db_for_write(Event)
    if row is None:
        row = Event.objects.using(db).filter(pk=event_id, fanout_done=False, fanout_step=step).first()
        if row is None:
            return NOTHING  # done, or another run is past this step
    specs = matched if matched is not None else trigger_index.specs(list(row.trigger_ids or []))
    position = dict(row.fanout_position or {})
    connection = connections[db]
    # A claimed chunk shares the transaction the dispatcher opened for its event: the package's
    # own too, whose readers see the inbox after its commit (one cache bump, not two).
    own = in_own_transaction.set(claimed or not connection.in_atomic_block)
    asynchronous = connection.vendor == "postgresql" and connection.get_autocommit() and not connection.in_atomic_block
    try:
        # A claimed chunk runs in the transaction that wrote its event (autocommit): a failure
        # rolls both back, so a savepoint of its own would only cost two more statements.
        with telemetry.fanout_chunk(row.verb, row.pk, step), transaction.atomic(using=db, savepoint=not claimed):
            # Claim the step first: a concurrent run of the same step waits here for this one's
            # commit, then finds the step taken and writes nothing.
            if not claimed and not _claim(db, row.pk, step, asynchronous):
                raise _Moved
            writer = OutboxWriter(row, row.snapshot, view or EventView.from_row(row), db, careful=careful)
            if step == 0:
                writer.cancel_pending(specs)
            following = _write_chunk(writer, specs, position, list(row.trigger_ids or []))
            if following is not None:
                Event.objects.using(db).filter(pk=row.pk).update(
                    fanout_done=False, fanout_position=following, fanout_updated_at=timezone.now()
                )
            delivery_ids = writer.finish()
            if delivery_ids:
                transaction.on_commit(lambda: delivery_tasks.enqueue_deliveries(delivery_ids), using=db)
            deferred = writer.deferred
            if deferred:
                transaction.on_commit(lambda: delivery_tasks.defer_batches(deferred), using=db)
            if following is not None and chain:
                transaction.on_commit(lambda: enqueue_chunk(row.pk, step + 1), using=db)
    except _Moved:
        return NOTHING
    finally:
        in_own_transaction.reset(own)
    if following is None:
        telemetry.fanout_finished(row.verb, (timezone.now() - row.created_at).total_seconds())
        return LAST
    return MORE


def _claim(db: str, event_id: int, step: int, asynchronous: bool = False) -> bool:
    """Move the event past ``step`` (optimistically done); False when another run did.

    Run by every chunk, the first one right after the sender's commit, so its SQL is written
    here once per database rather than built by the ORM each time.

    ``asynchronous`` (PostgreSQL, the chunk's transaction its own): the statement also turns
    ``synchronous_commit`` off for that transaction, so its commit does not wait for the disk.
    The event row it starts from was committed durably; a crash of the database server that
    lost the chunk's commit would lose its claim with its rows, and the sweeper writes the
    chunk again from the event: the request pays one durable commit, the sender's.
    """
    connection = connections[db]
    fields = _event_fields()
    position = fields["fanout_position"].get_db_prep_save({}, connection=connection)
    now = fields["fanout_updated_at"].get_db_prep_save(timezone.now(), connection=connection)
    params = [step + 1, True, position, now, event_id, False, step]  # as CLAIM_COLUMNS, then the WHERE
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(db, asynchronous), params)
        return bool(cursor.rowcount)


@functools.lru_cache(maxsize=1)
def _event_fields() -> dict[str, Field[Any, Any]]:
    return {field.name: field for field in Event._meta.concrete_fields}


@functools.lru_cache(maxsize=16)
def _claim_sql(alias: str, asynchronous: bool) -> str:
    quote = connections[alias].ops.quote_name
    table = quote(Event._meta.db_table)
    fields = _event_fields()
    columns = [quote(str(fields[name].column)) for name in CLAIM_COLUMNS]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    where = (
        f"{table}.{quote(str(fields['id'].column))} = %s AND {table}.{columns[1]} = %s AND {table}.{columns[0]} = %s"
    )
    if asynchronous:  # PostgreSQL only: no extra round trip for the SET
        return (
            "WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)) "
            f"UPDATE {table} SET {assignments} FROM async_commit WHERE {where}"
        )
    return f"UPDATE {table} SET {assignments} WHERE {where}"


def _write_chunk(
    writer: OutboxWriter, specs: list[TriggerSpec], position: dict[str, Any], trigger_ids: list[int]
) -> dict[str, Any] | None:
    """Write up to one chunk of recipients from ``position``; the position to continue from, or None."""
    budget = max(1, int(app_settings.FANOUT_CHUNK_SIZE))
    start_trigger, start_subscription, after = _locate(specs, position, trigger_ids)
    if start_trigger >= len(specs):
        return None
    # Backends whose messages an earlier chunk wrote (for an earlier subscription, or for the start
    # one's first recipients): a person in two subscriptions of one backend gets one message.
    written_before = _backends_before(specs, start_trigger, start_subscription)
    started_within = {b.id for b in specs[start_trigger].subscriptions[start_subscription].backends} if after else set()
    for t in range(start_trigger, len(specs)):
        trigger = specs[t]
        first_subscription = start_subscription if t == start_trigger else 0
        for s in range(first_subscription, len(trigger.subscriptions)):
            subscription = trigger.subscriptions[s]
            if budget <= 0:
                return {"trigger": trigger.id, "subscription": subscription.id, "after": None}
            writer.continuing = after is not None
            recipients = writer.recipients(subscription, after=after, limit=budget)
            for backend in subscription.backends:
                at_start = t == start_trigger and s == start_subscription
                if backend.id in written_before or (not at_start and backend.id in started_within):
                    writer.skip_written_before(backend, recipients.ids)
                writer.write(trigger, subscription, backend, recipients.ids)
                if after is None:
                    for problem in recipients.problems:  # an admin sees it as a dead delivery
                        writer._write_rows(trigger, subscription, backend, [(None, None, "", problem)])
            if recipients.next_after is not None:
                return {"trigger": trigger.id, "subscription": subscription.id, "after": recipients.next_after}
            budget -= len(recipients.ids)
            after = None
    return None


def _locate(specs: list[TriggerSpec], position: dict[str, Any], trigger_ids: list[int]) -> tuple[int, int, Any]:
    """Where ``position`` (trigger and subscription ids) stands in today's ``specs``: (t, s, after).

    Positions name ids, not indexes, so a trigger or subscription disabled or added between two
    chunks neither skips nor repeats anybody: a vanished one's successor is where it goes on.
    """
    trigger_id = position.get("trigger")
    if trigger_id is None:
        return 0, 0, None
    order = {pk: i for i, pk in enumerate(trigger_ids)}
    rank = order.get(trigger_id, -1)
    for t, spec in enumerate(specs):
        if spec.id == trigger_id:
            for s, subscription in enumerate(spec.subscriptions):
                if subscription.id == position.get("subscription"):
                    return t, s, position.get("after")
                if subscription.id > int(position.get("subscription") or 0):
                    return t, s, None
            return t + 1, 0, None  # its subscriptions left are gone: the next trigger
        if order.get(spec.id, -1) > rank:
            return t, 0, None  # the trigger is gone: its successor
    return len(specs), 0, None


def _backends_before(specs: list[TriggerSpec], trigger: int, subscription: int) -> set[Any]:
    """The ids of the backends of the subscriptions before position (``trigger``, ``subscription``)."""
    return {
        backend.id
        for t, spec in enumerate(specs[: trigger + 1])
        for s, earlier in enumerate(spec.subscriptions)
        if t < trigger or s < subscription
        for backend in earlier.backends
    }


def enqueue_chunk(event_id: int, step: int) -> None:
    """Hand the next chunk to the task backend; a failed enqueue leaves it to the sweeper."""
    try:
        fan_out_chunk.using(backend=app_settings.TASK_BACKEND, queue_name=app_settings.TASK_QUEUE).enqueue(
            event_id, step
        )
    except Exception:
        logger.exception(
            "django-signal-notifier could not enqueue the fan-out of event %s; the sweeper (redrive) resumes it",
            event_id,
        )


def resume_unfinished(older_than: float | None = None, limit: int = 100) -> int:
    """Start again the fan-outs left unfinished (a process killed after its commit, a lost task).

    Only events untouched for ``older_than`` seconds (default ``FANOUT_RESUME_AFTER``) are taken,
    so a fan-out still running elsewhere is not raced (and a race would write nothing twice).
    Returns how many chunks were run.
    """
    grace = float(app_settings.FANOUT_RESUME_AFTER if older_than is None else older_than)
    cutoff = timezone.now() - timedelta(seconds=grace)
    db = router.db_for_write(Event)
    stale = list(
        Event.objects.using(db)
        .filter(Q(fanout_updated_at__lte=cutoff) | Q(fanout_updated_at__isnull=True), fanout_done=False)
        .order_by("fanout_updated_at")
        .values_list("pk", "fanout_step")[:limit]
    )
    ran = 0
    for event_id, step in stale:
        try:
            ran += run_chunk(event_id, step) != NOTHING  # the chain goes on through the task backend
        except Exception:
            logger.exception("django-signal-notifier could not resume the fan-out of event %s", event_id)
    return ran


def run_in_process(row: Event, view: EventView, matched: list[TriggerSpec], step: int = 0) -> None:
    """The rest of the fan-out now, in this process (the immediate task backend), from the live event.

    A chunk that fails is run again carefully (each inline channel in a savepoint, its failure
    recorded as a dead delivery); one that fails again stays for the sweeper.
    """
    while True:
        first = row if step == 0 else None  # later chunks read their position from the row
        try:
            found = run_chunk(row.pk, step, row=first, view=view, matched=matched, chain=False)
        except Exception:
            logger.exception("django-signal-notifier fan-out failed for event %s; retrying carefully", row.pk)
            found = run_chunk(row.pk, step, view=view, matched=matched, careful=True, chain=False)
        if found != MORE:
            return
        step += 1


@task()
def fan_out_chunk(event_id: int, step: int) -> int:
    """Write one chunk of an event's fan-out and enqueue the next: 0 done already, 1 the last, 2 more."""
    return run_chunk(event_id, step)


delivery_tasks.sweep_with(resume_unfinished)
