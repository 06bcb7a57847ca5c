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
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification
from django_signal_notifier.preferences.rules import explicit_opted_out, opted_out
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
        group_key: str = "",
    ) -> Plan:
        """Split ``recipient_ids``; ``group_key`` is the inbox group of an inline (in-site) channel's rows."""
        skipped: list[tuple[Any, str]] = []
        send = recipient_ids
        if subscription is None or trigger is None:  # an explicit send: its verb's rules, then every subscription's
            verb = self.event_row.verb
            muted = set() if mandatory else explicit_opted_out(verb, [channel], self.db, send).get(channel, set())
            return Plan([rid for rid in send if rid not in muted], [(rid, OPTED_OUT) for rid in send if rid in muted])
        if not subscription.mandatory:
            muted = self._muted_for(subscription).get(channel, set())
            if muted:
                skipped.extend((rid, OPTED_OUT) for rid in send if rid in muted)
                send = [rid for rid in send if rid not in muted]
        if inline:
            # The inbox row is the record: a throttled recipient who has a row of the same entry
            # within the window gets none (skipped, like the other channels); a digest's rows are
            # written at once under the digest window's group key (one entry per window).
            if subscription.throttle_seconds and send:
                recent = self._recently_in_inbox(subscription, send, group_key)
                if recent:
                    skipped.extend((rid, THROTTLED) for rid in send if rid in recent)
                    send = [rid for rid in send if rid not in recent]
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

    def _recently_in_inbox(self, subscription: SubscriptionSpec, recipient_ids: list[Any], group_key: str) -> set[Any]:
        """Those of ``recipient_ids`` with an in-site row of the same entry within the throttle window.

        The same entry: the same group key; for ungrouped rows, the same verb and object.
        """
        event = self.event_row
        since = event.created_at - timedelta(seconds=subscription.throttle_seconds)
        rows = Notification.objects.using(self.db).filter(recipient_id__in=recipient_ids, created_at__gte=since)
        if group_key:
            rows = rows.filter(group_key=group_key)
        else:
            rows = rows.filter(
                verb=event.verb,
                action_object_content_type_id=event.action_object_content_type_id,
                action_object_id=event.action_object_id,
            )
        return set(rows.exclude(event_id=event.pk).values_list("recipient_id", flat=True))

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
