"""A fan-out that writes nothing: the real recipients and rendering, collected as a plan."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from django_signal_notifier.config.specs import BackendSpec, SubscriptionSpec, TriggerSpec
from django_signal_notifier.config.steps import Step, describe
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.fanout.policies import Plan
from django_signal_notifier.fanout.writer import OutboxWriter, event_fields
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Event
from django_signal_notifier.rendering.base import RenderedMessage
from django_signal_notifier.rendering.render import EventView, load_users


@dataclass
class PlannedMessage:
    """One message the fan-out would write."""

    trigger_id: int | None
    subscription_id: int | None
    backend_id: int | None
    channel: str
    recipient_id: Any
    recipient: str = ""
    address: str = ""
    language: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    url: str = ""
    problem: str = ""
    step: str = ""  # the step's time and conditions, in words
    due_at: str = ""  # when it would go out (ISO 8601); "" when it would not
    note: str = ""  # held by quiet hours, gathered into a digest…

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class DryRunWriter(OutboxWriter):
    """Collects what :class:`OutboxWriter` would write instead of writing it."""

    def __init__(self, event_row: Event, snapshot: dict[str, Any], view: EventView, db: str) -> None:
        super().__init__(event_row, snapshot, view, db)
        self.planned: list[PlannedMessage] = []

    def _write_skipped(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        channel: str,
        plan: Plan,
    ) -> None:
        for rid, reason in plan.skipped:
            self._add(trigger, subscription, backend, channel, rid, None, "", f"skipped: {reason}")

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
        channel = messenger_cls.channel_name() if messenger_cls else backend.messenger
        step_due = self._due_at(backend)
        quiet = self.clock.held(
            subscription, backend, step_due, [p[0] for p in planned if not p[3] and p[0] not in hold]
        )
        for rid, rendered, language, problem in planned:
            due, note = quiet.get(rid, (step_due, ""))
            if rid in hold:
                note = "held for the digest"
            self._add(trigger, subscription, backend, channel, rid, rendered, language, problem)
            self.planned[-1].due_at = "" if problem else due.isoformat()
            self.planned[-1].note = note

    def _write_inline(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        messenger_cls: type[Messenger],
        items: list[tuple[Any, RenderedMessage]],
        group_key: str = "",
    ) -> None:
        for rid, rendered in items:
            self._add(trigger, subscription, backend, messenger_cls.channel_name(), rid, rendered, "", "")
            self.planned[-1].due_at = self.event_row.created_at.isoformat()

    def _add(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        channel: str,
        rid: Any,
        rendered: RenderedMessage | None,
        language: str,
        problem: str,
    ) -> None:
        rendered = rendered or RenderedMessage()
        self.planned.append(
            PlannedMessage(
                trigger.id if trigger else None,
                subscription.id if subscription else None,
                backend.id,
                channel,
                rid,
                language=language,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                url=rendered.url,
                problem=problem,
                step=describe(step_of(backend)),
            )
        )

    def finish(self) -> list[int]:
        return []

    def add_addresses(self, backends: dict[Any, BackendSpec]) -> None:
        """Fill in each recipient's name and address on its channel (as the sender would look it up)."""
        users = load_users([p.recipient_id for p in self.planned], self.db)
        for item in self.planned:
            user = users.get(item.recipient_id)
            item.recipient = user.get_username() if user is not None else str(item.recipient_id)
            messenger_cls = messenger_registry.get(item.channel)
            if messenger_cls is None or messenger_cls.inline or user is None or item.problem:
                continue
            spec = backends.get(item.backend_id)
            try:
                address = messenger_cls(spec.options if spec else {}).get_address(user)
            except Exception as error:  # SkipDelivery("no phone number") and friends
                item.problem = f"skipped: {error}"
                continue
            if address is None:
                item.problem = "skipped: no address for this channel"
            else:
                item.address = str(address)


def step_of(backend: BackendSpec) -> Step:
    """The step a backend spec carries."""
    return Step(
        delay_seconds=backend.delay_seconds,
        only_if_unread=backend.only_if_unread,
        fallback=backend.fallback,
        send_at=backend.send_at,
        offset_seconds=backend.offset_seconds,
        skip_if_past=backend.skip_if_past,
        urgent=backend.urgent,
        only_if=backend.only_if,
        fresh=backend.fresh,
    )


def plan(event: SignalEvent, matched: list[TriggerSpec], db: str) -> list[PlannedMessage]:
    """What ``fan_out(event, …, matched)`` would write, without writing anything."""
    snapshot = event.snapshot()
    row = Event(**event_fields(event.verb, snapshot), created_at=timezone.now())
    view = EventView.from_signal(event)
    writer = DryRunWriter(row, snapshot, view, db)
    backends: dict[Any, BackendSpec] = {}
    for trigger in matched:
        for subscription in trigger.subscriptions:
            recipients = writer.recipients(subscription)
            for backend in subscription.backends:
                backends[backend.id] = backend
                writer.write(trigger, subscription, backend, recipients.ids)
                for problem in recipients.problems:
                    writer.planned.append(
                        PlannedMessage(
                            trigger.id, subscription.id, backend.id, backend.messenger, None, problem=problem
                        )
                    )
    writer.add_addresses(backends)
    return writer.planned
