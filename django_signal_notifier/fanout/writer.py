"""Fan-out: after commit, turn one matched event into its messages, in bulk.

One Event row, one recipient query per subscription, and one bulk insert per channel and batch:
the number of queries does not grow with the number of recipients. Inline channels (the in-site
inbox) write their rows here; the others get Delivery rows that a task sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connections, router, transaction

from django_signal_notifier.conf import app_settings
from django_signal_notifier.config.specs import BackendSpec, SubscriptionSpec, TriggerSpec
from django_signal_notifier.delivery import tasks
from django_signal_notifier.delivery.cancel import cancel, object_key
from django_signal_notifier.events.snapshot import SignalEvent, safe_text
from django_signal_notifier.fanout.policies import Plan, Planner, digest_key
from django_signal_notifier.fanout.recipients import Recipients, resolve_recipients
from django_signal_notifier.fanout.timing import StepClock
from django_signal_notifier.inbox.cache import in_own_transaction
from django_signal_notifier.inbox.group_keys import digest_group_key
from django_signal_notifier.inbox.group_keys import fit as fit_group_key
from django_signal_notifier.inbox.group_keys import group_key as group_key_for
from django_signal_notifier.messengers.base import Messenger, call_write_inline
from django_signal_notifier.messengers.registry import messenger_registry, template_name
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, GroupBy, SendCondition
from django_signal_notifier.models.bulk import BulkInsert, batched, insert_one
from django_signal_notifier.preferences.mutes import about_event, muted_among
from django_signal_notifier.rendering.base import MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.rendering.render import EventView, base_context, language_for, load_users, render

logger = logging.getLogger("django_signal_notifier.fanout")
T = TypeVar("T")


def fan_out(
    event: SignalEvent, snapshot: dict[str, Any], matched: Sequence[TriggerSpec], *, careful: bool = False
) -> Event:
    """Write the event's records in one transaction and enqueue its deliveries after commit.

    ``careful`` isolates each inline channel's write in a savepoint and records its failure as a
    dead delivery; the dispatcher retries a failed fan-out that way, so one broken channel
    cannot take the event's other messages down with it.
    """

    def plan(writer: OutboxWriter) -> None:
        writer.cancel_pending(matched)
        for trigger in matched:
            for subscription in trigger.subscriptions:
                recipients = writer.recipients(subscription)
                for backend in subscription.backends:
                    writer.write(trigger, subscription, backend, recipients.ids)
                    for problem in recipients.problems:  # an admin sees it as a dead delivery
                        writer._write_rows(trigger, subscription, backend, [(None, None, "", problem)])

    return write_event(event, snapshot, plan, careful=careful)


def write_event(
    event: SignalEvent,
    snapshot: dict[str, Any],
    plan: Callable[[OutboxWriter], None],
    *,
    careful: bool = False,
    enqueue: bool = True,
    cancel_key: str = "",
) -> Event:
    """The Event row, then ``plan(writer)`` writes its messages; one transaction, enqueued after commit.

    Shared by signal-triggered fan-outs and explicit sends (:mod:`django_signal_notifier.fanout.notify`).
    """
    db = router.db_for_write(Event)
    view = EventView.from_signal(event)
    own = in_own_transaction.set(not connections[db].in_atomic_block)
    try:
        with transaction.atomic(using=db):
            row = Event(**event_fields(event.verb, snapshot))
            insert_one(row, db)
            writer = OutboxWriter(row, snapshot, view, db, careful=careful, cancel_key=cancel_key)
            plan(writer)
            delivery_ids = writer.finish()
            if delivery_ids and enqueue:
                transaction.on_commit(lambda: tasks.enqueue_deliveries(delivery_ids), using=db)
            if writer.deferred and enqueue:
                deferred = writer.deferred
                transaction.on_commit(lambda: tasks.defer_batches(deferred), using=db)
    finally:
        in_own_transaction.reset(own)
    return row


def event_fields(verb: str, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The Event row's columns for a snapshot."""
    return {
        "verb": verb,
        "action_object_content_type_id": _ref(snapshot, "action_object", "content_type_id"),
        "action_object_id": _ref(snapshot, "action_object", "pk") or "",
        "actor_content_type_id": _ref(snapshot, "actor", "content_type_id"),
        "actor_object_id": _ref(snapshot, "actor", "pk") or "",
        "target_content_type_id": _ref(snapshot, "target", "content_type_id"),
        "target_object_id": _ref(snapshot, "target", "pk") or "",
        "snapshot": snapshot,
    }


def send_condition(backend: BackendSpec) -> str:
    """What the outbox checks before sending ``backend``'s step: its only_if conditions (with "unread"), or "unread"."""
    if backend.only_if:
        return SendCondition.CONDITIONS
    return SendCondition.UNREAD if backend.only_if_unread else SendCondition.ALWAYS


def _ref(snapshot: dict[str, Any], role: str, key: str) -> Any:
    described = snapshot.get(role) or {}
    return described.get(key)


class OutboxWriter:
    """Renders and writes one event's messages, channel by channel, batch by batch."""

    # The columns of a Delivery row that differ between the recipients of one backend.
    DELIVERY_COLUMNS = ("recipient_id", "status", "reason", "last_error", "content", "language", "digest_key")

    def __init__(
        self,
        event_row: Event,
        snapshot: dict[str, Any],
        view: EventView,
        db: str,
        careful: bool = False,
        cancel_key: str = "",
    ) -> None:
        self.careful = careful
        self.event_row = event_row
        self.snapshot = snapshot
        self.view = view
        self.db = db
        self.seen: set[tuple[Any, Any]] = set()
        self.delivery_ids: list[int] = []
        # Delayed steps' pending deliveries, by the time they are due: deferred tasks, or the sweeper.
        self.deferred: dict[datetime, list[int]] = {}
        # {(subscription id, backend id): recipients with a pending delivery}: who a fallback step waits on.
        self.pending_recipients: dict[tuple[int, int | None], set[Any]] = {}
        # The key that cancels this event's pending messages: the caller's, else its object's.
        self.cancel_key = cancel_key or object_key(
            _ref(snapshot, "action_object", "content_type_id"), _ref(snapshot, "action_object", "pk"), db
        )
        self.wrote_deliveries = False
        self.planner = Planner(event_row, db)
        self.clock = StepClock(event_row, view.instance, self.planner.times)
        self.continuing = False  # True for the later chunks of an audience (shared destinations are written)
        self.about = about_event(event_row)  # the keys a recipient's mute names to be left out

    def cancel_pending(self, matched: Sequence[TriggerSpec]) -> None:
        """Cancel the pending messages about this event's object if one of its triggers says so."""
        if self.cancel_key and any(trigger.cancels_pending for trigger in matched):
            cancelled = cancel(self.cancel_key, using=self.db, except_event=self.event_row.pk)
            if cancelled:
                logger.info(
                    "event %s cancelled %d pending deliveries of %s", self.event_row.pk, cancelled, self.cancel_key
                )

    def recipients(self, subscription: SubscriptionSpec, after: Any = None, limit: int | None = None) -> Recipients:
        """The subscription's recipients for this event (one chunk with ``limit``), opt-outs read by the same query."""
        channels = self.planner.channels_of(subscription)
        recipients = resolve_recipients(subscription, self.view, self.db, channels, after, limit, self.about)
        if recipients.muted is not None:
            self.planner.know_muted(subscription, recipients.muted)
        self.planner.times.update(recipients.times)
        return recipients

    def skip_written_before(self, backend: BackendSpec, recipient_ids: list[Any]) -> None:
        """Mark those of ``recipient_ids`` an earlier chunk already wrote for ``backend`` as seen.

        For a backend shared by two subscriptions of the event: the earlier one's messages may
        have been written by an earlier chunk, outside this writer's memory.
        """
        ids = [rid for rid in recipient_ids if rid is not None]
        if not ids:
            return
        written = set(
            Delivery.objects.using(self.db)
            .filter(event_id=self.event_row.pk, backend_id=backend.id, recipient_id__in=ids)
            .values_list("recipient_id", flat=True)
        )
        messenger_cls = messenger_registry.get(backend.messenger)
        if messenger_cls is not None and messenger_cls.inline:
            written |= messenger_cls.written_inline(self.event_row, ids)
        seen_key = backend.id if backend.id is not None else backend.messenger
        self.seen.update((seen_key, rid) for rid in written)

    def write(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        recipient_ids: list[Any],
        template: MessageTemplate | None = None,
        mandatory: bool = False,
        group_key: str | None = None,
    ) -> None:
        """Render and write ``backend``'s messages to ``recipient_ids`` (each once per backend and event).

        ``trigger`` and ``subscription`` are None for explicit sends; ``template`` replaces the
        backend's template (explicit content); ``mandatory`` ignores preferences (explicit sends);
        ``group_key`` is an explicit send's inbox group (None: by verb and object, "": none).
        """
        if backend.fallback and subscription is not None:
            # Written (waiting) only for the recipients the step before has a message underway to.
            before = subscription.backends[subscription.backends.index(backend) - 1]
            underway = self.pending_recipients.get((subscription.id, before.id), set())
            recipient_ids = [rid for rid in recipient_ids if rid in underway]
        messenger_cls = messenger_registry.get(backend.messenger)
        one_place = (
            messenger_cls is not None and not messenger_cls.inline and messenger_cls.shares_destination(backend.options)
        )
        # A 0.2.1 messenger is called even when nobody was resolved, with users=[]: its "dynamic
        # users" pattern, where the messenger picks its own recipients.
        nobody_for_legacy = (
            messenger_cls is not None
            and subscription is not None
            and not recipient_ids
            and not self.continuing
            and messenger_cls.is_legacy()
        )
        if one_place or nobody_for_legacy:
            # One message to the shared place (a channel, a group chat) for the whole audience,
            # written with the audience's first chunk; a person's preferences do not apply to it.
            recipient_ids = [None] if (recipient_ids or nobody_for_legacy) and not self.continuing else []
        if subscription is None and not mandatory and self.about:  # an explicit send: its recipients were given
            muted = muted_among([rid for rid in recipient_ids if rid is not None], self.about, self.db)
            recipient_ids = [rid for rid in recipient_ids if rid not in muted]
        seen_key = backend.id if backend.id is not None else backend.messenger
        fresh = [rid for rid in recipient_ids if (seen_key, rid) not in self.seen]
        self.seen.update((seen_key, rid) for rid in fresh)
        if not fresh:
            return
        if messenger_cls is not None and not one_place and not nobody_for_legacy:
            channel = messenger_cls.channel_name()
            if messenger_cls.inline:
                group_key = self.inbox_group_key(trigger, subscription, group_key)
            plan = self.planner.plan(
                trigger, subscription, backend, channel, messenger_cls.inline, fresh, mandatory, group_key or ""
            )
            self._write_skipped(trigger, subscription, backend, channel, plan)
            fresh = plan.send
            hold = plan.held
            if not fresh:
                return
        else:
            hold = set()
        if messenger_cls is not None and not messenger_cls.inline:
            due, why_not = self.clock.step_time(backend)
            if due is None:  # a reminder whose time the object does not give, or that has passed
                skipped = Plan([], [(rid, why_not) for rid in fresh])
                self._write_skipped(trigger, subscription, backend, messenger_cls.channel_name(), skipped)
                return
        name = template_name(backend.message_template, backend.messenger)
        template_cls = type(template) if template is not None else template_registry.get(name)
        if messenger_cls is None or template_cls is None:
            problem = (
                f"unknown messenger {backend.messenger!r}"
                if messenger_cls is None
                else f"unknown message template {name!r}"
            )
            self._log(trigger, subscription, backend, problem)
            self._write_rows(trigger, subscription, backend, [(rid, None, "", problem) for rid in fresh])
            return
        if template is None:
            template = template_cls()
        try:
            template.sources()  # compiles every part once: a syntax error is one error, not one per recipient
        except Exception as error:
            problem = f"template error: {safe_text(error, 900)}"
            self._log(trigger, subscription, backend, problem)
            self._write_rows(trigger, subscription, backend, [(rid, None, "", problem) for rid in fresh], messenger_cls)
            return
        context = base_context(self.view, trigger, subscription)
        legacy = messenger_cls.is_legacy()
        # Rendered once per language unless the template reads the recipient; users are loaded
        # (one query per batch) only when the template or the language getter needs them.
        per_recipient = legacy or _uses_recipient(template)
        needs_users = per_recipient or app_settings.LANGUAGE_GETTER is not None
        shared: dict[str, RenderedMessage | Exception] = {}
        logged_render_error = False
        batch_size = int(app_settings.BATCH_SIZE)
        for chunk in batched(fresh, batch_size):
            users = load_users(chunk, self.db) if needs_users else {}
            planned: list[tuple[Any, RenderedMessage | None, str, str]] = []
            for rid in chunk:
                user = users.get(rid)
                if needs_users and user is None and rid is not None:
                    continue  # deleted since the recipient query
                language = language_for(user)
                if legacy:
                    planned.append((rid, None, language, ""))
                    continue
                rendered = shared.get(language) if not per_recipient else None
                if rendered is None:
                    try:
                        rendered = render(template, context, user, language)
                    except Exception as error:
                        rendered = error
                    if not per_recipient:
                        shared[language] = rendered
                if isinstance(rendered, Exception):
                    if not logged_render_error:
                        self._log(trigger, subscription, backend, f"template error: {rendered}")
                        logged_render_error = True
                    planned.append((rid, None, language, f"template error: {safe_text(rendered, 900)}"))
                else:
                    planned.append((rid, rendered, language, ""))
            if messenger_cls.inline:
                ok = [(rid, rendered) for rid, rendered, _, error in planned if rendered is not None and not error]
                if ok:
                    self._write_inline(trigger, subscription, backend, messenger_cls, ok, group_key or "")
                failed = [p for p in planned if p[3]]
                if failed:
                    self._write_rows(trigger, subscription, backend, failed, messenger_cls)
            else:
                self._write_rows(trigger, subscription, backend, planned, messenger_cls, set() if legacy else hold)

    def _write_rows(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        planned: list[tuple[Any, RenderedMessage | None, str, str]],
        messenger_cls: type[Messenger] | None = None,
        hold: Collection[Any] = (),
        reason: str = "configuration error",
    ) -> None:
        """Write ``planned`` rows ``(recipient, rendering, language, error)``; those in ``hold`` wait for a digest.

        Rows are inserted grouped by due time: the step's, or the end of a recipient's quiet hours.
        """
        channel = messenger_cls.channel_name() if messenger_cls else backend.messenger
        if not planned:
            return
        contents: dict[int, dict[str, Any]] = {}  # one stored content per rendering, not per row

        def content(rendered: RenderedMessage | None) -> dict[str, Any]:
            if rendered is None:
                return {}
            found = contents.get(id(rendered))
            if found is None:
                found = contents[id(rendered)] = rendered.as_content()
            return found

        step_due = self._due_at(backend)
        ready = DeliveryStatus.WAITING if backend.fallback else DeliveryStatus.PENDING
        quiet = self.clock.held(
            subscription, backend, step_due, [p[0] for p in planned if not p[3] and p[0] not in hold]
        )
        by_due: dict[datetime, list[tuple[Any, ...]]] = {}
        for rid, rendered, language, error in planned:
            held = rid in hold and subscription is not None and not error
            due, why = quiet.get(rid, (step_due, "")) if not error and not held else (step_due, "")
            by_due.setdefault(due, []).append(
                (
                    rid,
                    DeliveryStatus.DEAD if error else ready,
                    reason if error else why,
                    error,
                    content(rendered),
                    language,
                    digest_key(subscription.id, backend.id, rid) if held and subscription else "",
                )
            )
        for due, rows in by_due.items():
            self._insert_rows(trigger, subscription, backend, channel, due, rows)

    def _insert_rows(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        channel: str,
        due: datetime,
        rows: list[tuple[Any, ...]],
    ) -> None:
        """Insert rows due at ``due``; note the pending ones for the deliver task (now, or deferred to ``due``)."""
        pks = self.deliveries(trigger, subscription, backend, channel, due).insert(rows, returning=True)
        self.wrote_deliveries = True
        if subscription is not None and backend.has_fallback:
            underway = self.pending_recipients.setdefault((subscription.id, backend.id), set())
            underway.update(row[0] for row in rows if row[1] == DeliveryStatus.PENDING and not row[6])
        if backend.fallback:
            return  # waiting rows: the outbox enqueues each when the step before falls through
        if connections[self.db].features.can_return_rows_from_bulk_insert:
            due_ids = self.delivery_ids
            if due > self.event_row.created_at:
                due_ids = self.deferred.setdefault(due, [])
            pending = {row[0] for row in rows if row[1] == DeliveryStatus.PENDING and not row[6]}
            if len(pending) == len(rows):
                due_ids.extend(pks)
            else:  # the ids of the pending ones: read back (a rare mix of dead/held and pending rows)
                due_ids.extend(
                    Delivery.objects.using(self.db)
                    .filter(pk__in=pks, status=DeliveryStatus.PENDING, digest_key="")
                    .values_list("pk", flat=True)
                )

    def _write_skipped(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        channel: str,
        plan: Plan,
    ) -> None:
        """Record the recipients the policies skipped, each with the reason: one bulk insert."""
        if not plan.skipped:
            return
        rows: list[tuple[Any, ...]] = [
            (rid, DeliveryStatus.SKIPPED, reason, "", {}, "", "") for rid, reason in plan.skipped
        ]
        self.deliveries(trigger, subscription, backend, channel).insert(rows)
        self.wrote_deliveries = True

    def deliveries(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        channel: str,
        due: datetime | None = None,
    ) -> BulkInsert:
        """A bulk insert of this event's deliveries for one backend; rows give the per-recipient columns."""
        created = self.event_row.created_at
        shared = {
            "event_id": self.event_row.pk,
            "trigger_id": trigger.id if trigger else None,
            "subscription_id": subscription.id if subscription else None,
            "backend_id": backend.id,
            "channel": channel,
            "created_at": created,
            "next_attempt_at": due or self._due_at(backend),
            "cancel_key": self.cancel_key,
            "send_if": send_condition(backend),
            "has_fallback": backend.has_fallback,
        }
        return BulkInsert(Delivery, self.db, shared, self.DELIVERY_COLUMNS, int(app_settings.BATCH_SIZE))

    def _due_at(self, backend: BackendSpec) -> datetime:
        """When ``backend``'s step of this event is due: its delay after the event, or its send_at time."""
        return self.clock.step_time(backend)[0] or self.event_row.created_at

    def _write_inline(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        messenger_cls: type[Messenger],
        items: list[tuple[Any, RenderedMessage]],
        group_key: str = "",
    ) -> None:
        # Passed only when set: an inline messenger of a project's own may predate the argument.
        expires_at = self._expires_at(subscription, backend)
        messenger = messenger_cls(backend.options)
        if not self.careful:
            call_write_inline(messenger_cls, messenger, self.event_row, items, self.snapshot, group_key, expires_at)
            return
        try:
            with transaction.atomic(using=self.db):
                call_write_inline(messenger_cls, messenger, self.event_row, items, self.snapshot, group_key, expires_at)
        except Exception as error:
            problem = f"{messenger_cls.channel_name()} failed to write: {safe_text(error, 900)}"
            self._log(trigger, subscription, backend, problem)
            rows: list[tuple[Any, RenderedMessage | None, str, str]] = [(rid, r, "", problem) for rid, r in items]
            self._write_rows(trigger, subscription, backend, rows, messenger_cls, reason="channel error")

    def _expires_at(self, subscription: SubscriptionSpec | None, backend: BackendSpec) -> datetime | None:
        """When this event's in-site notifications expire: the explicit send's moment, else the subscription's."""
        if backend.inbox_expires_at is not None:
            return backend.inbox_expires_at
        if subscription is not None and subscription.inbox_expiry_seconds:
            return self.event_row.created_at + timedelta(seconds=subscription.inbox_expiry_seconds)
        return None

    def inbox_group_key(
        self, trigger: TriggerSpec | None, subscription: SubscriptionSpec | None, explicit: str | None
    ) -> str:
        """The inbox group of this event's in-site rows: the subscription's grouping, its digest
        window (a digest subscription's rows of one window are one entry), or an explicit send's key.
        """
        row = self.event_row
        if subscription is None:
            if explicit is not None:
                return fit_group_key(f"key|{explicit}") if explicit else ""
            return group_key_for(GroupBy.VERB_OBJECT, "", row.verb, self.snapshot)
        if subscription.digest_seconds:
            return digest_group_key(subscription.id, subscription.digest_seconds, row.created_at)
        return group_key_for(
            subscription.group_by,
            subscription.group_key_template,
            row.verb,
            self.snapshot,
            trigger_id=trigger.id if trigger else None,
            subscription_id=subscription.id,
        )

    def finish(self) -> list[int]:
        """The ids of the pending deliveries written (read back where the database cannot return them)."""
        if self.wrote_deliveries and not connections[self.db].features.can_return_rows_from_bulk_insert:
            pending = Delivery.objects.using(self.db).filter(
                event=self.event_row, status=DeliveryStatus.PENDING, digest_key=""
            )
            self.delivery_ids, self.deferred = [], {}
            for pk, due_at in pending.values_list("pk", "next_attempt_at"):
                if due_at > self.event_row.created_at:
                    self.deferred.setdefault(due_at, []).append(pk)
                else:
                    self.delivery_ids.append(pk)
        return self.delivery_ids

    @staticmethod
    def _log(
        trigger: TriggerSpec | None, subscription: SubscriptionSpec | None, backend: BackendSpec, problem: str
    ) -> None:
        logger.error(
            "django-signal-notifier: %s (trigger %s %r, subscription %s %r, backend %s %r)",
            problem,
            trigger.id if trigger else None,
            trigger.name if trigger else "explicit send",
            subscription.id if subscription else None,
            subscription.name if subscription else "",
            backend.id,
            backend.name,
            extra={
                "trigger_id": trigger.id if trigger else None,
                "subscription_id": subscription.id if subscription else None,
                "backend_id": backend.id,
            },
        )


_USES_RECIPIENT: dict[type, bool] = {}


def _uses_recipient(template: MessageTemplate) -> bool:
    cls = type(template)
    if cls not in _USES_RECIPIENT:
        _USES_RECIPIENT[cls] = template.uses_recipient()
    return _USES_RECIPIENT[cls]
