"""Delivery policies applied in the fan-out: preferences, throttling and digests.

For each (subscription, backend) the planner splits the recipients into those who get a
message now, those skipped (with the reason, recorded on a Delivery row) and, for a digest
subscription, those whose message is held for the digest. Queries are set-based: at most one
preference query per subscription and one throttle query per (subscription, backend),
whatever the number of recipients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django_signal_notifier.config.specs import BackendSpec, SubscriptionSpec, TriggerSpec
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from django_signal_notifier.preferences.rules import opted_out
from django_signal_notifier.preferences.times import UserTimes

OPTED_OUT = "opted out"
THROTTLED = "throttled"


@dataclass
class Plan:
    """What to do with one (subscription, backend)'s recipients."""

    send: list[Any]
    skipped: list[tuple[Any, str]] = field(default_factory=list)
    held: set[Any] = field(default_factory=set)  # of ``send``: those whose message waits for a digest


def digest_key(subscription_id: Any, backend_id: Any, recipient_id: Any) -> str:
    """The key grouping one recipient's held messages of one subscription and backend."""
    return f"{subscription_id}:{backend_id}:{recipient_id}"


class Planner:
    """Applies the policies for one event; caches the preference query per subscription."""

    def __init__(self, event_row: Event, db: str) -> None:
        self.event_row = event_row
        self.db = db
        self._muted: dict[int, dict[str, set[Any]]] = {}
        # Recipients' delivery times (read with them): their own digest frequency.
        self.times: dict[Any, UserTimes] = {}

    def plan(
        self,
        trigger: TriggerSpec | None,
        subscription: SubscriptionSpec | None,
        backend: BackendSpec,
        channel: str,
        inline: bool,
        recipient_ids: list[Any],
        mandatory: bool = False,
    ) -> Plan:
        skipped: list[tuple[Any, str]] = []
        send = recipient_ids
        if subscription is None or trigger is None:  # an explicit send: the rules for every subscription apply
            muted = set() if mandatory else opted_out(None, [channel], self.db, send).get(channel, set())
            return Plan([rid for rid in send if rid not in muted], [(rid, OPTED_OUT) for rid in send if rid in muted])
        if not subscription.mandatory:
            muted = self._muted_for(subscription).get(channel, set())
            if muted:
                skipped.extend((rid, OPTED_OUT) for rid in send if rid in muted)
                send = [rid for rid in send if rid not in muted]
        if inline:  # the inbox row is the record; throttling and digests need Delivery rows
            return Plan(send, skipped)
        if subscription.throttle_seconds and send:
            recent = self._recently_sent(trigger, subscription, backend)
            if recent:
                skipped.extend((rid, THROTTLED) for rid in send if rid in recent)
                send = [rid for rid in send if rid not in recent]
        return Plan(send, skipped, held=self._held(subscription, backend, send))

    def _held(self, subscription: SubscriptionSpec, backend: BackendSpec, send: list[Any]) -> set[Any]:
        """Who of ``send`` gets this message in a digest: the subscription's, or their own frequency.

        A recipient's own frequency ("immediately" included) wins for a subscription that is not
        mandatory, on plain steps only (no delay, time, condition, fallback or urgency).
        """
        held = set(send) if subscription.digest_seconds > 0 else set()
        if subscription.mandatory or not backend.plain or not self.times:
            return held
        for rid in send:
            times = self.times.get(rid)
            seconds = times.digest_seconds if times is not None else None
            if seconds == 0:
                held.discard(rid)
            elif seconds:
                held.add(rid)
        return held

    @staticmethod
    def channels_of(subscription: SubscriptionSpec) -> tuple[str, ...]:
        """The channels of ``subscription``'s backends (the preference rules name channels)."""

        channels = []
        for backend in subscription.backends:
            messenger = messenger_registry.get(backend.messenger)
            channels.append(messenger.channel_name() if messenger else backend.messenger)
        return tuple(sorted(set(channels)))

    def know_muted(self, subscription: SubscriptionSpec, muted: dict[str, set[Any]]) -> None:
        """Use opt-outs already read (with the recipients, by the same query) for ``subscription``."""
        self._muted[subscription.id] = muted

    def _muted_for(self, subscription: SubscriptionSpec) -> dict[str, set[Any]]:
        if subscription.id not in self._muted:
            self._muted[subscription.id] = opted_out(subscription.id, self.channels_of(subscription), self.db)
        return self._muted[subscription.id]

    def _recently_sent(self, trigger: TriggerSpec, subscription: SubscriptionSpec, backend: BackendSpec) -> set[Any]:
        """Recipients who had a message (not skipped, not dead) about the same object within the window."""
        event = self.event_row
        since = event.created_at - timedelta(seconds=subscription.throttle_seconds)
        recent = (
            Delivery.objects.using(self.db)
            .filter(
                trigger_id=trigger.id,
                subscription_id=subscription.id,
                backend_id=backend.id,
                event__action_object_content_type_id=event.action_object_content_type_id,
                event__action_object_id=event.action_object_id,
                created_at__gte=since,
            )
            .exclude(event_id=event.pk)
            .exclude(status__in=[DeliveryStatus.SKIPPED, DeliveryStatus.DEAD])
            .values_list("recipient_id", flat=True)
        )
        return set(recent)
