"""The rows of a user's preferences page: their subscriptions × channels, with the current choice, and saving choices.

The page lists every subscription that reaches the user or can: the ones naming the user or
one of their groups, the ones whose receivers come from the event (a field path such as
``author`` can reach anyone), and the ones that already wrote to them (a delivery, or, for a
receiver callable, a notification of its trigger in their inbox). Every row has one fixed column
per channel, in the same order, so a box never moves from row to row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Delivery, Event, Preference, Subscription
from django_signal_notifier.preferences.rules import ANY, UserRules, clear_preference, is_enabled, set_preference

# How far back the user's inbox is read for subscriptions that reached them (newest events first).
RECENT_INBOX_EVENTS = 200
# Signals whose name reads badly as a label: the words shown instead ("Article saved"). Lazy, so
# each request renders them in its own language; their context keeps them apart from the action
# verbs ("deleted" there is a verb of a sentence, here it follows a model's name).
VERB_WORDS = {
    "post_save": pgettext_lazy("what happened to an object", "saved"),
    "pre_save": pgettext_lazy("what happened to an object", "saved"),
    "post_delete": pgettext_lazy("what happened to an object", "deleted"),
    "pre_delete": pgettext_lazy("what happened to an object", "deleted"),
    "m2m_changed": pgettext_lazy("what happened to an object", "changed"),
    "user_logged_in": pgettext_lazy("what happened to an object", "signed in"),
    "user_logged_out": pgettext_lazy("what happened to an object", "signed out"),
    "user_login_failed": pgettext_lazy("what happened to an object", "failed to sign in"),
}


@dataclass
class Cell:
    """One checkbox: a subscription (or None: all) on one channel."""

    field_name: str
    channel: str
    label: str
    enabled: bool
    locked: bool


@dataclass
class Column:
    """A channel of the page: one column of checkboxes."""

    channel: str
    label: str


@dataclass
class Row:
    """One subscription (or the "all notifications" row) and its channels.

    ``cells`` are the subscription's own channels; ``columns`` has one entry per column of the
    page, the cell or None where the subscription does not use that channel.
    """

    subscription: Any
    label: str
    mandatory: bool
    cells: list[Cell]
    columns: list[Cell | None]


def channel_label(channel: str) -> str:
    messenger = messenger_registry.get(channel)
    return str(messenger.label or channel) if messenger else channel


def field_name(subscription_id: Any, channel: str) -> str:
    return f"pref:{subscription_id if subscription_id is not None else 'all'}:{channel}"


def subscription_label(subscription: Any) -> str:
    """What a user reads for a subscription: its name, else its trigger's, else the model and what happened."""
    if subscription.name:
        return str(subscription.name)
    trigger = subscription.trigger
    if trigger.name:
        return str(trigger.name)
    words = str(VERB_WORDS[trigger.verb]) if trigger.verb in VERB_WORDS else trigger.verb.replace("_", " ")
    content_type = trigger.action_object_content_type
    model = content_type.model_class() if content_type is not None else None
    if model is None:
        return str(capfirst(words))
    return _("%(model)s %(happened)s") % {"model": capfirst(model._meta.verbose_name), "happened": words}


def user_subscriptions(user: Any) -> list[Any]:
    """The enabled subscriptions that reach ``user`` or can (see the module's docstring), oldest first."""
    reach = Q(receiver_users=user)
    if hasattr(user, "groups"):
        reach |= Q(receiver_groups__in=user.groups.all())
    reach |= ~Q(receiver_field_paths=[]) & ~Q(receiver_field_paths=None)
    reach |= Q(pk__in=Delivery.objects.filter(recipient=user).values("subscription_id"))
    reach |= Q(pk__in=Preference.objects.filter(user=user, subscription__isnull=False).values("subscription_id"))
    # Whom a callable reaches is only known once it ran: its trigger put something in their inbox.
    reach |= Q(trigger_id__in=_triggers_of_inbox(user)) & ~Q(receiver_callable="")
    found = Subscription.objects.filter(reach, enabled=True).values("pk")
    return list(
        Subscription.objects.filter(pk__in=found)
        .select_related("trigger__action_object_content_type")
        .prefetch_related("backends")
        .order_by("pk")
    )


def _triggers_of_inbox(user: Any) -> set[int]:
    """The triggers of the events in the user's inbox (the newest few hundred): one query."""
    events = Event.objects.filter(notifications__recipient=user).order_by("-pk").values_list("trigger_ids", flat=True)
    return {int(pk) for ids in events[:RECENT_INBOX_EVENTS] for pk in (ids or ()) if str(pk).isdigit()}


def _channels(subscription: Any) -> list[str]:
    names: list[str] = []
    for backend in subscription.backends.all():
        messenger = messenger_registry.get(backend.messenger)
        name = messenger.channel_name() if messenger else backend.messenger
        if name not in names:
            names.append(name)
    return names


def build_columns(subscriptions: list[Any]) -> list[Column]:
    """The page's channels, in one order for every row (by label)."""
    channels = {channel for subscription in subscriptions for channel in _channels(subscription)}
    return sorted((Column(c, channel_label(c)) for c in channels), key=lambda column: column.label.casefold())


def build_rows(subscriptions: list[Any], rules: UserRules) -> list[Row]:
    """The page's rows: an "all notifications" row over every channel, then one per subscription."""
    columns = build_columns(subscriptions)
    if not columns:
        return []
    every = [
        Cell(field_name(None, c.channel), c.channel, c.label, is_enabled(rules, None, c.channel), False)
        for c in columns
    ]
    rows = [Row(None, _("All notifications"), False, every, list(every))]
    for subscription in subscriptions:
        locked = bool(subscription.mandatory)
        own = set(_channels(subscription))
        line: list[Cell | None] = [
            Cell(
                field_name(subscription.pk, c.channel),
                c.channel,
                c.label,
                True if locked else is_enabled(rules, subscription.pk, c.channel),
                locked,
            )
            if c.channel in own
            else None
            for c in columns
        ]
        cells = [cell for cell in line if cell is not None]
        rows.append(Row(subscription, subscription_label(subscription), locked, cells, line))
    return rows


def save_choices(user_id: Any, rows: list[Row], rules: UserRules, wanted: Callable[[Cell], bool]) -> None:
    """Store each unlocked cell's ``wanted(cell)``, only where it differs from what the user would inherit.

    Rows are saved in order, the "all notifications" row first, so broader choices keep working.
    """
    rules = dict(rules)
    with transaction.atomic():
        for row in rows:
            subscription_id = row.subscription.pk if row.subscription is not None else None
            for cell in row.cells:
                if cell.locked:
                    continue
                choice = wanted(cell)
                key = (subscription_id, cell.channel)
                rules.pop(key, None)
                if subscription_id is None:
                    inherited = rules.get((None, ANY), True)
                else:
                    inherited = is_enabled(rules, subscription_id, cell.channel)
                if choice == inherited:
                    clear_preference(user_id, subscription_id, cell.channel)
                else:
                    set_preference(user_id, subscription_id, cell.channel, choice)
                    rules[key] = choice


def change_choices(user_id: Any, rules: UserRules, changes: dict[tuple[Any, str], bool]) -> None:
    """Set the (subscription id or None, channel) choices in ``changes``; every other choice stays as stored.

    A choice equal to what the user would inherit is stored as no row, so that a cell the user
    never set keeps following the broader ones ("all notifications", then the subscription).
    """
    rules = dict(rules)
    with transaction.atomic():
        # The "all notifications" row first: the subscriptions' cells inherit from it.
        for (subscription_id, channel), choice in sorted(changes.items(), key=lambda item: item[0][0] is not None):
            key = (subscription_id, channel)
            rules.pop(key, None)
            if subscription_id is None:
                inherited = rules.get((None, ANY), True)
            else:
                inherited = is_enabled(rules, subscription_id, channel)
            if choice == inherited:
                clear_preference(user_id, subscription_id, channel)
            else:
                set_preference(user_id, subscription_id, channel, choice)
                rules[key] = choice
