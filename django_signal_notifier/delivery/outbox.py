"""The outbox: claim due deliveries, send them through their messenger, record each outcome.

Claims are exclusive (SELECT … FOR UPDATE SKIP LOCKED where the database has it) and leased
for ``CLAIM_TIMEOUT`` seconds: a worker that dies leaves its claims to expire and be taken
again. Each outcome is written as soon as the messenger reports it, and only by the worker that
holds the claim. ``SENT_FLUSH_SECONDS`` > 0 trades that for throughput: successes are then
grouped into one write (when a success arrives after the window, and at the end of the batch),
and a worker that dies in between leaves them to be sent again.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from django_signal_notifier import telemetry
from django_signal_notifier.compat.legacy import send_legacy
from django_signal_notifier.conf import app_settings
from django_signal_notifier.delivery.fallback import advance_fallbacks
from django_signal_notifier.delivery.lease import Lease
from django_signal_notifier.delivery.retry import gives_up, retry_delay
from django_signal_notifier.delivery.unsubscribe import delivery_unsubscribe_url, headers_for
from django_signal_notifier.events.snapshot import safe_text
from django_signal_notifier.exceptions import SkipDelivery
from django_signal_notifier.messengers.base import Message, Messenger, SendResult
from django_signal_notifier.messengers.registry import messenger_registry, template_name
from django_signal_notifier.models import Delivery, DeliveryStatus, Notification, SendCondition, Suppression
from django_signal_notifier.models.suppression import normalized_address
from django_signal_notifier.rendering.base import RenderedMessage
from django_signal_notifier.rendering.links import absolute_url
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.rendering.render import EventView, base_context, language_for, load_users, render
from django_signal_notifier.signals import notification_failed, notification_sent

logger = logging.getLogger("django_signal_notifier.outbox")
READ_IN_INBOX = "read in the inbox"


def log_extra(delivery: Delivery) -> dict[str, Any]:
    """The structured fields every outbox log line carries (``logging`` ``extra``)."""
    return {
        "delivery_id": delivery.pk,
        "trigger_id": delivery.trigger_id,
        "subscription_id": delivery.subscription_id,
        "channel": delivery.channel,
    }


def claim(ids: list[int] | None = None, limit: int | None = None) -> tuple[list[Delivery], str]:
    """Take ownership of due deliveries (optionally only ``ids``); returns them and the claim token."""
    db = router.db_for_write(Delivery)
    token = uuid.uuid4().hex
    now = timezone.now()
    limit = limit or int(app_settings.DELIVERY_BATCH_SIZE)
    _bury_abandoned(db, now, ids)
    due = Delivery.objects.using(db).due(now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    connection = connections[db]
    asynchronous = _may_commit_asynchronously(connection)  # read before atomic() opens one
    with transaction.atomic(using=db):
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        chosen = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
        if not chosen:
            return [], token
        if asynchronous:
            _commit_without_waiting_for_disk(connection)
        # Re-checking "due" makes the claim safe on databases without row locks too.
        Delivery.objects.using(db).due(now).filter(pk__in=chosen).update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_until=now + timedelta(seconds=float(app_settings.CLAIM_TIMEOUT)),
            attempts=F("attempts") + 1,
        )
    claimed = list(
        Delivery.objects.using(db)
        .filter(claim_token=token, status=DeliveryStatus.SENDING)
        # A batch usually shares one event, trigger and subscription: each is loaded (and the
        # event's snapshot parsed) once, not once per row as a join would.
        .prefetch_related("event", "trigger", "subscription")
    )
    return claimed, token


def _bury_abandoned(db: str, now: Any, ids: list[int] | None) -> None:
    """Abandoned claims that used up their attempts are dead: a message that kills its worker
    every time (a crash, an out-of-memory) must not be retried forever."""
    worn_out = Delivery.objects.using(db).filter(
        status=DeliveryStatus.SENDING, claimed_until__lt=now, attempts__gte=int(app_settings.MAX_ATTEMPTS)
    )
    if ids is not None:
        worn_out = worn_out.filter(pk__in=ids)
    buried = worn_out.update(
        status=DeliveryStatus.DEAD,
        claim_token="",
        claimed_until=None,
        updated_at=now,
        last_error="the worker sending it stopped before recording an outcome on every attempt; gave up",
    )
    if buried:
        logger.error(
            "%d deliveries were abandoned by a worker on their last attempt and are now dead",
            buried,
            extra={"delivery_id": None, "trigger_id": None, "subscription_id": None, "channel": None},
        )


def _may_commit_asynchronously(connection: Any) -> bool:
    """PostgreSQL, and no transaction of the caller's open: a transaction the outbox opens now is
    its own, and its commit need not wait for the disk (see :func:`record_outcome`)."""
    return connection.vendor == "postgresql" and bool(connection.get_autocommit()) and not connection.in_atomic_block


def _commit_without_waiting_for_disk(connection: Any) -> None:
    """Inside the outbox's own transaction: its commit returns before the disk write."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def record_outcome(deliveries: Any, changes: dict[str, Any]) -> int:
    """Write an outcome in a transaction of its own that does not wait for the disk.

    On PostgreSQL the commit returns once the change is in the server's write-ahead log buffer
    (``synchronous_commit = off`` for this transaction only): a worker killed right after still
    left it recorded; only a crash of the database server itself could lose the last fraction of
    a second of outcomes, and those deliveries would be sent again, never lost. Elsewhere, a
    plain UPDATE.
    """
    connection = connections[deliveries.db]
    if not _may_commit_asynchronously(connection):
        return int(deliveries.update(**changes))
    with transaction.atomic(using=deliveries.db):
        _commit_without_waiting_for_disk(connection)
        return int(deliveries.update(**changes))


def record_sent(db: str, ids: list[int], token: str, now: Any, addresses: Sequence[tuple[int, str]] = ()) -> int:
    """Record ``ids`` sent (those ``token`` still holds), with the ``(id, address)`` each went to: one statement.

    The hottest write of a worker, one per message by default, so its SQL is written here rather
    than built by the ORM each time. On PostgreSQL, outside a transaction, the statement itself
    turns ``synchronous_commit`` off for its own implicit transaction (see :func:`record_outcome`)
    instead of costing a BEGIN, a SET and a COMMIT round trip.
    """
    connection = connections[db]
    when = Delivery._meta.get_field("sent_at").get_db_prep_save(now, connection=connection)
    asynchronous = _may_commit_asynchronously(connection)
    sql = _sent_sql(connection.alias, connection.vendor, len(ids), asynchronous, len(addresses))
    # One row (the default, one write per message): its address; more: (id, address) pairs for a CASE.
    pairs = [addresses[0][1]] if len(ids) == 1 and addresses else [value for pair in addresses for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [DeliveryStatus.SENT.value, when, when, *pairs, *ids, token])
        return int(cursor.rowcount)


@functools.lru_cache(maxsize=64)
def _sent_sql(alias: str, vendor: str, count: int, asynchronous: bool, addressed: int = 0) -> str:
    """The UPDATE of :func:`record_sent` for ``count`` ids, ``addressed`` of them with the address they went to."""
    quote = connections[alias].ops.quote_name
    table = quote(Delivery._meta.db_table)
    columns = [
        ("status", "%s"),
        ("sent_at", "%s"),
        ("updated_at", "%s"),
        ("claimed_until", "NULL"),
        ("claim_token", "''"),
        ("last_error", "''"),
        ("reason", "''"),
    ]
    if addressed and count == 1:
        columns.append(("sent_to", "%s"))
    elif addressed:
        cases = " ".join(["WHEN %s THEN %s"] * addressed)
        columns.append(("sent_to", f"CASE {table}.{quote('id')} {cases} ELSE {table}.{quote('sent_to')} END"))
    assignments = ", ".join(f"{quote(column)} = {value}" for column, value in columns)
    keys = ", ".join(["%s"] * count)
    where = f"{table}.{quote('id')} IN ({keys}) AND {table}.{quote('claim_token')} = %s"
    if asynchronous:
        return (
            "WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)) "
            f"UPDATE {table} SET {assignments} FROM async_commit WHERE {where}"
        )
    return f"UPDATE {table} SET {assignments} WHERE {where}"


def leased_elsewhere(ids: list[int]) -> list[tuple[int, Any]]:
    """Of ``ids``, those another worker holds a live claim on, with the time the claim ends."""
    now = timezone.now()
    held = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, claimed_until__gt=now)
    return list(held.values_list("pk", "claimed_until"))


# Enqueues failed deliveries for their next attempt; set by the task module, which sits on top
# of this one (the outbox itself knows no task backend).
_retry_scheduler: Callable[[list[Delivery]], None] | None = None


def schedule_retries_with(scheduler: Callable[[list[Delivery]], None]) -> None:
    """Have ``scheduler`` enqueue the deliveries that failed and will be retried."""
    global _retry_scheduler
    _retry_scheduler = scheduler


# Checks made just before sending (a step's only_if conditions, set at start-up by the
# configuration layer, which sits above this one): each returns {delivery id: reason to skip}.
_send_checks: list[Callable[[list[Delivery]], dict[int, str]]] = []


def check_before_sending_with(check: Callable[[list[Delivery]], dict[int, str]]) -> None:
    """Have ``check`` veto claimed deliveries just before they are sent (once per batch)."""
    if check not in _send_checks:
        _send_checks.append(check)


def deliver_due(
    ids: list[int] | None = None,
    limit: int | None = None,
    claimed_ids: set[int] | None = None,
    on_batch: Callable[[Counter[str]], None] | None = None,
) -> dict[str, int]:
    """Claim and send due deliveries, batch by batch, until none is left (or ``limit`` is reached).

    ``claimed_ids``, when given, receives the ids this call claimed and recorded an outcome for;
    ``on_batch`` is called with the running totals after each batch (a command's progress).
    """
    totals: Counter[str] = Counter()
    remaining = limit
    wanted = None if ids is None else set(ids)
    while True:
        batch_limit = int(app_settings.DELIVERY_BATCH_SIZE)
        if remaining is not None:
            batch_limit = min(batch_limit, remaining)
        if batch_limit <= 0:
            break
        claimed, token = claim(ids, batch_limit)
        if not claimed:
            break
        if wanted is not None:
            wanted.difference_update(d.pk for d in claimed)
        totals.update(send_claimed(claimed, token))
        if on_batch is not None:
            on_batch(totals)
        if claimed_ids is not None:  # not those whose claim another worker took meanwhile
            claimed_ids.update(d.pk for d in claimed if d.status != DeliveryStatus.SENDING)
        next_steps = advance_fallbacks([d for d in claimed if d.has_fallback])
        if next_steps and ids is not None:  # sent by this call too: they are due now
            ids = [*ids, *next_steps]
            wanted = {*(wanted or ()), *next_steps}
        retry_later = [d for d in claimed if d.status == DeliveryStatus.FAILED]
        if retry_later and _retry_scheduler is not None:
            _retry_scheduler(retry_later)
        if remaining is not None:
            remaining -= len(claimed)
        if wanted is not None and not next_steps and (not wanted or len(claimed) < batch_limit):
            break  # every one of ``ids`` claimed, or the rest are not due
    return dict(totals)


def send_claimed(deliveries: list[Delivery], token: str) -> Counter[str]:
    """Send claimed deliveries grouped by channel and backend; record every outcome."""
    counts: Counter[str] = Counter()
    db = deliveries[0]._state.db if deliveries else None
    lease = Lease(token, db or router.db_for_write(Delivery))
    users = load_users([d.recipient_id for d in deliveries if d.recipient_id is not None], db)
    groups: dict[tuple[str, int | None], list[Delivery]] = defaultdict(list)
    read = read_in_inbox([d for d in deliveries if d.send_if == SendCondition.UNREAD])
    vetoed: dict[int, str] = {}
    for check in _send_checks:
        vetoed.update(check(deliveries))
    for delivery in deliveries:
        withdrawn = _withdrawn(delivery)
        if withdrawn:  # the configuration that asked for it is gone: it is not sent
            counts[_finish(delivery, token, "skipped", withdrawn, None, None)] += 1
            continue
        if delivery.pk in read:  # an escalation whose in-site notification was read meanwhile
            counts[_finish(delivery, token, "skipped", READ_IN_INBOX, None, None)] += 1
            continue
        if delivery.pk in vetoed:  # its step's conditions do not hold any more
            counts[_finish(delivery, token, "skipped", vetoed[delivery.pk], None, None)] += 1
            continue
        groups[(delivery.channel, delivery.backend_id)].append(delivery)
    for (channel, _backend_id), group in groups.items():
        messenger_cls = messenger_registry.get(channel)
        if messenger_cls is None:
            # A worker running older code (a rolling deploy) may not know a new channel yet:
            # retried with backoff, so a worker that knows it sends it.
            for delivery in group:
                counts[_finish(delivery, token, "failed", f"unknown messenger {channel!r}", None, None)] += 1
            continue
        options = _backend_options(group[0])
        try:
            messenger = messenger_cls(options)
        except Exception as error:
            for delivery in group:
                counts[
                    _finish(delivery, token, "failed", f"{channel} could not start: {error}", None, messenger_cls)
                ] += 1
            continue
        if messenger_cls.is_legacy():
            for delivery in group:
                counts[_send_legacy(delivery, token, messenger_cls, users.get(delivery.recipient_id))] += 1
            continue
        messages: list[Message] = []
        by_message: dict[int, Delivery] = {}
        for delivery in group:
            user = users.get(delivery.recipient_id)
            try:
                message = _message(delivery, user, messenger)
            except SkipDelivery as skip:  # the messenger says why: "user 7 has no phone number"
                delivery.undeliverable = True
                counts[_finish(delivery, token, "skipped", str(skip), None, messenger_cls)] += 1
                continue
            except Exception as error:
                counts[_finish(delivery, token, "dead", f"cannot build the message: {error}", None, messenger_cls)] += 1
                continue
            if message is None:
                delivery.undeliverable = True
                counts[_finish(delivery, token, "skipped", "no address for this channel", None, messenger_cls)] += 1
                continue
            messages.append(message)
            by_message[id(message)] = delivery
        if messenger_cls.suppression_channel and messages:
            messages = _without_suppressed(messages, by_message, token, messenger_cls, counts)
        held = lease.keep(d.pk for d in by_message.values())
        if len(held) < len(by_message):  # the lease ran out before sending started
            counts["lost_claim"] += len(by_message) - len(held)
            messages = [m for m in messages if by_message[id(m)].pk in held]
            by_message = {key: d for key, d in by_message.items() if d.pk in held}
        if not messages:
            continue
        with telemetry.send_batch(channel, len(messages)):
            results = messenger.send_batch(messages)
            sent: list[Delivery] = []  # successes are recorded together: one UPDATE, one commit
            flush_at = 0.0
            try:
                for result in results:
                    delivery = by_message.pop(id(result.message))
                    if result.message.provider_message_id:
                        delivery.provider_message_id = result.message.provider_message_id
                    if result.status != "sent":
                        counts[_record(delivery, token, result, messenger_cls)] += 1
                    else:
                        if not sent:
                            flush_at = time.monotonic() + float(app_settings.SENT_FLUSH_SECONDS)
                        sent.append(delivery)
                        if time.monotonic() >= flush_at:
                            counts.update(_finish_sent(sent, token, messenger_cls))
                            sent = []
                    if by_message and lease.renewal_due() and _lost_part_of_batch(lease, by_message, counts):
                        break  # closing the messenger's generator stops it before its next message
            except Exception as error:  # the messenger broke mid-batch: the rest are retried
                for delivery in by_message.values():
                    logger.exception(
                        "%s failed mid-batch before delivery %s", channel, delivery.pk, extra=log_extra(delivery)
                    )
                    counts[
                        _finish(delivery, token, "failed", f"{type(error).__name__}: {error}", None, messenger_cls)
                    ] += 1
                by_message.clear()
            finally:
                close = getattr(results, "close", None)
                if close is not None:
                    close()
        if sent:
            counts.update(_finish_sent(sent, token, messenger_cls))
        for delivery in by_message.values():  # a send_batch() that skipped some messages: retry them
            counts[_finish(delivery, token, "failed", "the messenger reported no result", None, messenger_cls)] += 1
    return counts


def _without_suppressed(
    messages: list[Message],
    by_message: dict[int, Delivery],
    token: str,
    messenger_cls: type[Messenger],
    counts: Counter[str],
) -> list[Message]:
    """``messages`` less those to a suppressed address, which are skipped with the suppression's reason."""
    db = next(iter(by_message.values()))._state.db
    reasons = Suppression.objects.using(db).reasons_for(
        messenger_cls.suppression_channel, [message.address for message in messages]
    )
    if not reasons:
        return messages
    kept = []
    for message in messages:
        reason = reasons.get(normalized_address(message.address))
        if reason is None:
            kept.append(message)
            continue
        delivery = by_message.pop(id(message))
        counts[_finish(delivery, token, "skipped", f"address suppressed: {reason}", None, messenger_cls)] += 1
    return kept


def read_in_inbox(deliveries: list[Delivery]) -> set[int]:
    """The ids of ``deliveries`` whose recipient has read the in-site notification of their event.

    One query for the batch. A recipient with no in-site notification of the event has nothing
    read: the message is sent.
    """
    if not deliveries:
        return set()
    rows = Notification.objects.using(deliveries[0]._state.db).filter(
        event_id__in={d.event_id for d in deliveries},
        recipient_id__in={d.recipient_id for d in deliveries if d.recipient_id is not None},
    )
    unread: dict[tuple[int, Any], bool] = {}
    for event_id, recipient_id, is_unread in rows.values_list("event_id", "recipient_id", "unread"):
        unread[(event_id, recipient_id)] = unread.get((event_id, recipient_id), False) or is_unread
    return {d.pk for d in deliveries if unread.get((d.event_id, d.recipient_id)) is False}


def _lost_part_of_batch(lease: Lease, unsent: dict[int, Delivery], counts: Counter[str]) -> bool:
    """Renew the lease of the unsent rest; if another worker took some of it, give the rest back."""
    held = lease.keep(d.pk for d in unsent.values())
    if len(held) == len(unsent):
        return False
    logger.warning(
        "the claim on %d deliveries expired mid-batch and another worker took them; %d given back unsent",
        len(unsent) - len(held),
        len(held),
    )
    counts["lost_claim"] += len(unsent) - len(held)
    if held:
        counts["released"] += lease.release(held)
    unsent.clear()
    return True


def _finish_sent(deliveries: list[Delivery], token: str, messenger_cls: type[Messenger]) -> Counter[str]:
    """Record sent deliveries in one UPDATE, only those whose claim this worker still holds."""
    counts: Counter[str] = Counter()
    now = timezone.now()
    changes: dict[str, Any] = {
        "claimed_until": None,
        "claim_token": "",
        "updated_at": now,
        "status": DeliveryStatus.SENT,
        "sent_at": now,
        "last_error": "",
        "reason": "",
    }
    manager = Delivery.objects.using(deliveries[0]._state.db)
    ids = [d.pk for d in deliveries]
    addresses = [(d.pk, d.sent_to) for d in deliveries if d.sent_to]
    updated = _reconnecting(manager.db, lambda: record_sent(manager.db, ids, token, now, addresses))
    ours = set(ids)
    if updated != len(ids):  # rare: some claims expired and were taken by another worker
        ours = set(manager.filter(pk__in=ids, status=DeliveryStatus.SENT, sent_at=now).values_list("pk", flat=True))
    identified = [d for d in deliveries if d.provider_message_id and d.pk in ours]
    if identified:  # the providers' ids, for their delivery events: one more UPDATE for the batch
        _reconnecting(manager.db, lambda: manager.bulk_update(identified, ["provider_message_id"]))
    for delivery in deliveries:
        if delivery.pk not in ours:
            logger.warning(
                "delivery %s was reclaimed by another worker; outcome sent not recorded",
                delivery.pk,
                extra=log_extra(delivery),
            )
            counts["lost_claim"] += 1
            continue
        for name, value in changes.items():
            setattr(delivery, name, value)
        if logger.isEnabledFor(logging.INFO):
            logger.info("delivery %s sent via %s", delivery.pk, delivery.channel, extra=log_extra(delivery))
        if notification_sent.receivers:
            _notify(notification_sent, messenger_cls, log_extra(delivery), delivery=delivery)
        telemetry.delivery_latency(delivery.channel, (now - delivery.created_at).total_seconds())
        counts["sent"] += 1
    telemetry.delivery_outcomes(deliveries[0].channel, "sent", counts["sent"])
    return counts


def _withdrawn(delivery: Delivery) -> str:
    """Why a signal-triggered delivery must not go out any more ("" when it still stands)."""
    if not delivery.event.trigger_ids:
        return ""  # an explicit send (notify()) or a digest: no trigger asked for it
    if delivery.trigger_id is None:
        return "its trigger was deleted"
    if delivery.subscription_id is None:
        return "its subscription was deleted"
    if delivery.backend_id is None:
        return "its backend was deleted"
    if delivery.trigger is not None and not delivery.trigger.enabled:
        return "its trigger is disabled"
    if delivery.subscription is not None and not delivery.subscription.enabled:
        return "its subscription is disabled"
    return ""


def _backend_options(delivery: Delivery) -> dict[str, Any]:
    if delivery.backend_id is None:
        return {}
    backend = delivery.backend  # one query per group; groups are per backend
    return dict(backend.options or {}) if backend else {}


def _message(delivery: Delivery, user: Any, messenger: Messenger) -> Message | None:
    if user is None and not delivery.address and not type(messenger).shares_destination(messenger.options):
        # Fan-out writes every delivery with its recipient or an address: neither left means the
        # user was deleted (the recipient key is set to null), and a message about them goes nowhere.
        raise SkipDelivery("the recipient was deleted")
    address = delivery.address or messenger.get_address(user)
    if address is None:
        return None
    if messenger.shows_address(str(address)):
        delivery.sent_to = str(address)[: Delivery._meta.get_field("sent_to").max_length]
    rendered = RenderedMessage.from_content(delivery.content) if delivery.content else _render_again(delivery, user)
    unsubscribe = delivery_unsubscribe_url(delivery, user) or ""
    message = Message(
        recipient=user,
        address=str(address),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        url=absolute_url(rendered.url),  # read outside the site: a path would lead nowhere
        data=rendered.data,
        delivery_id=delivery.pk,
        verb=delivery.event.verb,
        event_id=delivery.event_id,
        unsubscribe_url=unsubscribe,
        language=delivery.language,
    )
    message.headers.update(headers_for(unsubscribe))
    return message


def _render_again(delivery: Delivery, user: Any) -> RenderedMessage:
    """Render from the stored event (a resend, or a delivery whose first render failed)."""
    backend = delivery.backend
    name = template_name(backend.message_template if backend else "", delivery.channel)
    template_cls = template_registry.get(name)
    if template_cls is None:
        raise ValueError(f"unknown message template {name!r}")
    context = base_context(EventView.from_row(delivery.event), delivery.trigger, delivery.subscription)
    return render(template_cls(), context, user, delivery.language or language_for(user))


def _send_legacy(delivery: Delivery, token: str, messenger_cls: type[Messenger], user: Any) -> str:
    backend = delivery.backend
    name = template_name(backend.message_template if backend else "", delivery.channel)
    template_cls = template_registry.get(name)
    if template_cls is None:
        return _finish(delivery, token, "dead", f"unknown message template {name!r}", None, messenger_cls)
    try:
        context = base_context(EventView.from_row(delivery.event), delivery.trigger, delivery.subscription)
        send_legacy(messenger_cls, template_cls(), user, delivery.trigger, context, delivery.event_id)
    except Exception as error:
        return _finish(delivery, token, "failed", f"{type(error).__name__}: {error}", None, messenger_cls)
    return _finish(delivery, token, "sent", "", None, messenger_cls)


def _record(delivery: Delivery, token: str, result: SendResult, messenger_cls: type[Messenger]) -> str:
    return _finish(delivery, token, result.status, result.error, result.retry_after, messenger_cls)


def _write_outcome(delivery: Delivery, token: str, changes: dict[str, Any]) -> int:
    """Update the claimed row; a connection that dropped is replaced once and the write retried.

    The message has already left: an outcome lost with the connection would let the claim expire
    and the message be sent a second time.
    """
    db = delivery._state.db or router.db_for_write(Delivery)
    rows = Delivery.objects.using(db).filter(pk=delivery.pk, claim_token=token)
    return _reconnecting(db, lambda: record_outcome(rows, changes))


def _reconnecting(db: str, write: Callable[[], int]) -> int:
    """Run an outcome write; if the connection dropped (outside a transaction), reconnect once and retry."""
    try:
        return write()
    except (OperationalError, InterfaceError):
        connection = connections[db]
        if connection.in_atomic_block:
            raise
        logger.warning("database connection lost while recording delivery outcomes; reconnecting")
        connection.close()
        return write()


def _finish(
    delivery: Delivery,
    token: str,
    status: str,
    error: str,
    retry_after: float | None,
    messenger_cls: type[Messenger] | None,
) -> str:
    """Write one outcome, only if this worker still holds the claim. Returns the final status."""
    now = timezone.now()
    changes: dict[str, Any] = {"claimed_until": None, "claim_token": "", "updated_at": now}
    if delivery.sent_to and status != "skipped":
        changes["sent_to"] = delivery.sent_to
    if status == "sent":
        changes.update(status=DeliveryStatus.SENT, sent_at=now, last_error="", reason="")
    elif status == "skipped":
        changes.update(status=DeliveryStatus.SKIPPED, reason=error[:255])
    elif status == "failed" and not gives_up(delivery.attempts):
        delay = retry_delay(delivery.attempts, retry_after)
        changes.update(
            status=DeliveryStatus.FAILED,
            last_error=safe_text(error, 4000),
            next_attempt_at=now + timedelta(seconds=delay),
        )
    else:
        status = "dead"
        changes.update(status=DeliveryStatus.DEAD, last_error=safe_text(error, 4000))
    updated = _write_outcome(delivery, token, changes)
    if not updated:
        logger.warning(
            "delivery %s was reclaimed by another worker; outcome %s not recorded",
            delivery.pk,
            status,
            extra=log_extra(delivery),
        )
        return "lost_claim"
    for name, value in changes.items():
        setattr(delivery, name, value)
    telemetry.delivery_outcomes(delivery.channel, status)
    if status == "sent":
        telemetry.delivery_latency(delivery.channel, (now - delivery.created_at).total_seconds())
    extra = log_extra(delivery)
    sender = messenger_cls or Messenger
    if status == "sent":
        logger.info("delivery %s sent via %s", delivery.pk, delivery.channel, extra=extra)
        _notify(notification_sent, sender, extra, delivery=delivery)
    elif status in ("failed", "dead"):
        logger.warning("delivery %s %s via %s: %s", delivery.pk, status, delivery.channel, error, extra=extra)
        _notify(notification_failed, sender, extra, delivery=delivery, error=error, final=status == "dead")
    elif status == "skipped":
        logger.info("delivery %s skipped via %s: %s", delivery.pk, delivery.channel, error, extra=extra)
    return status


def _notify(signal: Any, sender: Any, extra: dict[str, Any], **kwargs: Any) -> None:
    """Send one of the package's signals; a failing receiver is logged, never breaks the batch."""
    for receiver, response in signal.send_robust(sender=sender, **kwargs):
        if isinstance(response, Exception):
            logger.error(
                "a receiver of a delivery signal raised: %r: %s",
                receiver,
                response,
                exc_info=response,
                extra=extra,
            )
