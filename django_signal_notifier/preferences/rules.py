"""Preferences: who opted out of what, resolved for many users in one query.

A :class:`~django_signal_notifier.models.Preference` row names a user, optionally a
subscription and optionally a channel; the most specific row wins and no row means "receive".
Mandatory subscriptions ignore preferences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from django_signal_notifier.models import Preference, Subscription

ANY = ""  # the channel value meaning "every channel"

# (subscription id or None, channel or "") -> enabled, for one user
UserRules = dict[tuple[Any, str], bool]


def is_enabled(rules: UserRules, subscription_id: Any, channel: str) -> bool:
    """Whether a user with these rules receives ``subscription_id``'s messages on ``channel``."""
    for key in ((subscription_id, channel), (subscription_id, ANY), (None, channel), (None, ANY)):
        if key in rules:
            return rules[key]
    return True


def rules_by_user(
    subscription_id: Any, channels: Iterable[str], using: str | None = None, user_ids: list[Any] | None = None
) -> dict[Any, UserRules]:
    """Every rule that can apply to ``subscription_id`` on ``channels``, by user: one query."""

    applicable = (
        Preference.objects.using(using)
        .filter(Q(subscription_id=subscription_id) | Q(subscription__isnull=True))
        .filter(channel__in=[*set(channels), ANY])
    )
    if user_ids is not None:
        applicable = applicable.filter(user_id__in=user_ids)
    found: dict[Any, UserRules] = defaultdict(dict)
    for user_id, sub_id, channel, enabled in applicable.values_list("user_id", "subscription_id", "channel", "enabled"):
        found[user_id][(sub_id, channel)] = enabled
    return found


def opted_out(
    subscription_id: Any, channels: Iterable[str], using: str | None = None, user_ids: list[Any] | None = None
) -> dict[str, set[Any]]:
    """The ids of the users (all, or among ``user_ids``) who opted out of ``subscription_id``, per channel.

    One query.
    """
    channels = list(channels)
    result: dict[str, set[Any]] = {channel: set() for channel in channels}
    for user_id, rules in rules_by_user(subscription_id, channels, using, user_ids).items():
        for channel in channels:
            if not is_enabled(rules, subscription_id, channel):
                result[channel].add(user_id)
    return result


def user_rules(user: Any) -> UserRules:
    """All of one user's rules."""

    rows = Preference.objects.filter(user=user).values_list("subscription_id", "channel", "enabled")
    return {(sub_id, channel): enabled for sub_id, channel, enabled in rows}


def set_preference(user_id: Any, subscription_id: Any, channel: str, enabled: bool) -> None:
    """Create or update one rule (``subscription_id`` None: every subscription)."""

    with transaction.atomic():
        Preference.objects.update_or_create(
            user_id=user_id,
            subscription_id=subscription_id,
            channel=channel,
            defaults={"enabled": enabled, "updated_at": timezone.now()},
        )


def clear_preference(user_id: Any, subscription_id: Any, channel: str) -> None:
    """Remove one rule, so the user inherits the broader one."""

    Preference.objects.filter(user_id=user_id, subscription_id=subscription_id, channel=channel).delete()


def unsubscribe(user_id: Any, subscription_id: Any, channel: str) -> bool:
    """Opt ``user_id`` out of a subscription on a channel. False when the subscription is mandatory."""
    from django.contrib.auth import get_user_model

    if not get_user_model()._default_manager.filter(pk=user_id).exists():
        return True  # the account is gone: nothing will be sent to it
    if subscription_id is not None:
        mandatory = Subscription.objects.filter(pk=subscription_id).values_list("mandatory", flat=True).first()
        if mandatory is None:  # deleted since the message was sent: nothing left to mute
            return True
        if mandatory:
            return False
    set_preference(user_id, subscription_id, channel, False)
    return True
