"""The rows of a user's preferences page: their subscriptions × channels, with the current choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Delivery, Preference, Subscription
from django_signal_notifier.preferences.rules import UserRules, is_enabled


@dataclass
class Cell:
    """One checkbox: a subscription (or None: all) on one channel."""

    field_name: str
    channel: str
    label: str
    enabled: bool
    locked: bool


@dataclass
class Row:
    """One subscription (or the "all notifications" row) and its channels."""

    subscription: Any
    label: str
    mandatory: bool
    cells: list[Cell]


def channel_label(channel: str) -> str:
    messenger = messenger_registry.get(channel)
    return str(messenger.label or channel) if messenger else channel


def field_name(subscription_id: Any, channel: str) -> str:
    return f"pref:{subscription_id if subscription_id is not None else 'all'}:{channel}"


def user_subscriptions(user: Any) -> list[Any]:
    """Enabled subscriptions that list the user, one of their groups, or that already wrote to them."""

    reach = Q(receiver_users=user)
    if hasattr(user, "groups"):
        reach |= Q(receiver_groups__in=user.groups.all())
    reach |= Q(pk__in=Delivery.objects.filter(recipient=user).values("subscription_id"))
    reach |= Q(pk__in=Preference.objects.filter(user=user, subscription__isnull=False).values("subscription_id"))
    found = Subscription.objects.filter(reach, enabled=True).distinct().order_by("pk")
    return list(Subscription.objects.filter(pk__in=found.values("pk")).prefetch_related("backends").order_by("pk"))


def build_rows(subscriptions: list[Any], rules: UserRules) -> list[Row]:
    """The page's rows: one "all notifications" row per channel in use, then one per subscription."""
    channels_of: dict[int, list[str]] = {}
    for subscription in subscriptions:
        names: list[str] = []
        for backend in subscription.backends.all():
            messenger = messenger_registry.get(backend.messenger)
            name = messenger.channel_name() if messenger else backend.messenger
            if name not in names:
                names.append(name)
        channels_of[subscription.pk] = names
    all_channels = sorted({c for names in channels_of.values() for c in names})
    rows: list[Row] = []
    if all_channels:
        rows.append(
            Row(
                None,
                "",
                False,
                [
                    Cell(field_name(None, c), c, channel_label(c), is_enabled(rules, None, c), False)
                    for c in all_channels
                ],
            )
        )
    for subscription in subscriptions:
        locked = bool(subscription.mandatory)
        cells = [
            Cell(
                field_name(subscription.pk, c),
                c,
                channel_label(c),
                True if locked else is_enabled(rules, subscription.pk, c),
                locked,
            )
            for c in channels_of[subscription.pk]
        ]
        rows.append(Row(subscription, str(subscription), locked, cells))
    return rows
