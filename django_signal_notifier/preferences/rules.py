"""Preferences: who opted out of what, resolved for many users in one query.

A :class:`~django_signal_notifier.models.Preference` row names a user, optionally a
subscription and optionally a channel; the most specific row wins and no row means "receive".
Mandatory subscriptions ignore preferences. Messages sent from code (``notify()``) belong to no
subscription: rows naming their verb apply to them, then the rows for every subscription.

Every change (set or cleared) is dated in a
:class:`~django_signal_notifier.models.PreferenceChange` row, so that an unsubscribe link older
than the user's latest choice cannot undo it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from django_signal_notifier.models import Preference, PreferenceChange, Subscription

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
        .filter(channel__in=[*set(channels), ANY], verb="")
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


def explicit_opted_out(
    verb: str, channels: Iterable[str], using: str | None = None, user_ids: list[Any] | None = None
) -> dict[str, set[Any]]:
    """The ids of the users who opted out of messages sent from code with ``verb``, per channel.

    The rows naming ``verb`` win over those for every subscription (channel, then any channel). One query.
    """
    channels = list(channels)
    applicable = (
        Preference.objects.using(using)
        .filter(subscription__isnull=True, verb__in=[verb, ""])
        .filter(channel__in=[*set(channels), ANY])
    )
    if user_ids is not None:
        applicable = applicable.filter(user_id__in=user_ids)
    found: dict[Any, dict[tuple[str, str], bool]] = defaultdict(dict)
    for user_id, row_verb, channel, enabled in applicable.values_list("user_id", "verb", "channel", "enabled"):
        found[user_id][(row_verb, channel)] = enabled
    result: dict[str, set[Any]] = {channel: set() for channel in channels}
    for user_id, rules in found.items():
        for channel in channels:
            for key in ((verb, channel), (verb, ANY), ("", channel), ("", ANY)):
                if key in rules:
                    if not rules[key]:
                        result[channel].add(user_id)
                    break
    return result


def user_rules(user: Any) -> UserRules:
    """All of one user's rules about subscriptions (the rows naming a verb are not among them)."""

    rows = Preference.objects.filter(user=user, verb="").values_list("subscription_id", "channel", "enabled")
    return {(sub_id, channel): enabled for sub_id, channel, enabled in rows}


def set_preference(user_id: Any, subscription_id: Any, channel: str, enabled: bool, verb: str = "") -> None:
    """Create or update one rule (``subscription_id`` None: every subscription, or ``verb``'s messages sent from code)."""

    now = timezone.now()
    with transaction.atomic():
        Preference.objects.update_or_create(
            user_id=user_id,
            subscription_id=subscription_id,
            verb=verb,
            channel=channel,
            defaults={"enabled": enabled, "updated_at": now},
        )
        _record_change(user_id, subscription_id, verb, channel, now)


def clear_preference(user_id: Any, subscription_id: Any, channel: str, verb: str = "") -> None:
    """Remove one rule, so the user inherits the broader one."""

    with transaction.atomic():
        removed, _ = Preference.objects.filter(
            user_id=user_id, subscription_id=subscription_id, verb=verb, channel=channel
        ).delete()
        if removed:
            _record_change(user_id, subscription_id, verb, channel, timezone.now())


def last_changed(user_id: Any, subscription_id: Any, verb: str, channel: str) -> datetime | None:
    """When the user last set or cleared this one preference (None: never)."""

    return (
        PreferenceChange.objects.filter(
            user_id=user_id, subscription_scope=subscription_id or 0, verb=verb, channel=channel
        )
        .values_list("changed_at", flat=True)
        .first()
    )


def _record_change(user_id: Any, subscription_id: Any, verb: str, channel: str, when: datetime) -> None:
    PreferenceChange.objects.update_or_create(
        user_id=user_id,
        subscription_scope=subscription_id or 0,
        verb=verb,
        channel=channel,
        defaults={"changed_at": when},
    )


def unsubscribe(user_id: Any, subscription_id: Any, channel: str, verb: str = "") -> bool:
    """Opt ``user_id`` out of a subscription (or of ``verb``'s messages sent from code) on a channel.

    False when the subscription is mandatory.
    """
    if not get_user_model()._default_manager.filter(pk=user_id).exists():
        return True  # the account is gone: nothing will be sent to it
    if subscription_id is not None:
        mandatory = Subscription.objects.filter(pk=subscription_id).values_list("mandatory", flat=True).first()
        if mandatory is None:  # deleted since the message was sent: nothing left to mute
            return True
        if mandatory:
            return False
    set_preference(user_id, subscription_id, channel, False, verb=verb)
    return True


UNSUBSCRIBED, MANDATORY, SUPERSEDED = "unsubscribed", "mandatory", "superseded"


def opt_out_by_link(user_id: Any, subscription_id: Any, verb: str, channel: str, issued_at: datetime) -> str:
    """Apply an unsubscribe link issued at ``issued_at``: UNSUBSCRIBED, MANDATORY or SUPERSEDED.

    A link used again is harmless (UNSUBSCRIBED, nothing changes). A link issued before the
    user's latest change to the same preference changes nothing (SUPERSEDED): the newer choice stays.
    """
    same = Preference.objects.filter(user_id=user_id, subscription_id=subscription_id, verb=verb, channel=channel)
    if same.filter(enabled=False).exists():
        return UNSUBSCRIBED
    changed = last_changed(user_id, subscription_id, verb, channel)
    if changed is not None and changed > issued_at:
        return SUPERSEDED
    return UNSUBSCRIBED if unsubscribe(user_id, subscription_id, channel, verb=verb) else MANDATORY
