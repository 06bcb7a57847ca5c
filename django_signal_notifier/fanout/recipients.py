"""Recipients: who receives an event's messages, resolved as ids in set-based queries."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, transaction
from django.db.models import FilteredRelation, Model, Q

from django_signal_notifier.config.dynamic_receivers import callable_q, path_q
from django_signal_notifier.config.specs import SubscriptionSpec
from django_signal_notifier.models.subscription import static_receivers_q
from django_signal_notifier.preferences.mutes import About, not_muted_q
from django_signal_notifier.preferences.rules import ANY, UserRules, is_enabled
from django_signal_notifier.preferences.times import COLUMNS, PROFILE, UserTimes

logger = logging.getLogger("django_signal_notifier.recipients")

# Building and compiling the recipient query costs ~25x more than running it, and its SQL only
# depends on the database and the user model: it is compiled once, with a marker in place of
# the subscription id, then run with each subscription's id.
_MARKER = -7_340_041
_AFTER_MARKER = -7_340_042
_LIMIT_MARKER = -7_340_043
# What the event is about (for the mutes' anti-join): content type ids, and object ids as text.
_ABOUT_MARKERS = ((-7_340_044, "dsn-about-object-7340044"), (-7_340_045, "dsn-about-object-7340045"))
_FIRST = -(2**62)  # below every integer key: the first chunk
_INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
_compiled: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}
PREFERENCES = "signal_notifier_preferences"  # Preference.user's related_name


@dataclass
class Recipients:
    """The receivers' ids, and the problems met resolving the dynamic ones (recorded by the fan-out)."""

    ids: list[Any]
    problems: list[str] = field(default_factory=list)
    # With ``channels``: the opted-out ids per channel, read in the same query (None: not read).
    muted: dict[str, set[Any]] | None = None
    # With ``limit``: the last id of this chunk when more recipients follow (None: this was the last).
    next_after: Any = None
    # The time zone, quiet hours and digest frequency of those who set any, read by the same query.
    times: dict[Any, UserTimes] = field(default_factory=dict)


def resolve_recipients(
    subscription: SubscriptionSpec,
    view: Any,
    using: str | None = None,
    channels: tuple[str, ...] = (),
    after: Any = None,
    limit: int | None = None,
    about: About = (),
) -> Recipients:
    """The subscription's receivers for this event, each once, in a stable order.

    One query, whatever the number of users, groups and dynamic receivers (a dynamic path whose
    first hop is a foreign key on the instance adds a subquery, not a query). A broken path or
    callable is left out and reported in ``problems``; the other receivers still get the message.
    With ``channels`` (and a subscription that is not mandatory) the same query also reads the
    receivers' preference rules, and ``muted`` says who opted out of which channel.
    With ``limit``, one chunk in keyset order: the receivers whose id is above ``after``, about
    ``limit`` of them, and ``next_after`` to continue from.
    ``about`` (see :func:`~django_signal_notifier.preferences.mutes.about_event`): the users who
    muted one of these objects are left out by the same query (unless the subscription is mandatory).
    """
    users = get_user_model()._default_manager.db_manager(using)
    channels = () if subscription.mandatory else channels
    about = () if subscription.mandatory else about[: len(_ABOUT_MARKERS)]
    if not subscription.has_dynamic_receivers and not subscription.exclude_actor:
        rows = _static_rows(subscription.id, users, channels, after, limit, about)
        return _chunk(rows, subscription.id, channels, limit)
    static = static_receivers_q(subscription.id)
    problems: list[str] = []
    dynamic: list[Q] = []
    lazy = False
    for path in subscription.receiver_field_paths:
        try:
            dynamic.append(path_q(view.instance, path))
        except Exception as error:
            problems.append(_problem(subscription, f"receiver path {path!r}", error))
    if subscription.receiver_callable:
        try:
            found, lazy = callable_q(view, subscription.receiver_callable)
            dynamic.append(found)
        except (Exception, SystemExit) as error:  # a callable's sys.exit() must not end the request
            problems.append(_problem(subscription, f"receiver callable {subscription.receiver_callable!r}", error))
    query = static
    for part in dynamic:
        query |= part
    narrowing = Q()
    if "is_active" in _names(users.model):
        narrowing &= Q(is_active=True)
    actor = getattr(view, "actor", None)
    if subscription.exclude_actor and isinstance(actor, Model) and isinstance(actor, users.model):
        narrowing &= ~Q(pk=actor.pk)
    if after is not None:
        narrowing &= Q(pk__gt=after)
    narrowing &= not_muted_q(about)
    query &= narrowing
    rows_query = _with_rules(users.filter(query), subscription.id, channels)
    if limit is not None:
        rows_query = rows_query[: limit + 1]
    if not lazy:
        return _chunk(list(rows_query), subscription.id, channels, limit, problems)
    try:
        with transaction.atomic(using=users.db):  # a savepoint: a failing user queryset spares the event
            return _chunk(list(rows_query), subscription.id, channels, limit, problems)
    except DatabaseError as error:
        problems.append(_problem(subscription, f"receiver callable {subscription.receiver_callable!r}", error))
        without = _with_rules(users.filter(static & narrowing), subscription.id, channels)
        if limit is not None:
            without = without[: limit + 1]
        return _chunk(list(without), subscription.id, channels, limit, problems)


def _chunk(
    rows: list[tuple[Any, ...]],
    subscription_id: Any,
    channels: tuple[str, ...],
    limit: int | None,
    problems: list[str] | None = None,
) -> Recipients:
    """``rows`` read with ``LIMIT limit + 1``: cut before the last user (whose rule rows may be
    partial) when there are more, so that the next chunk starts right after a whole user."""
    next_after = None
    if limit is not None and len(rows) > limit:
        boundary = rows[limit][0]
        kept = [row for row in rows if row[0] != boundary]
        if kept:
            rows, next_after = kept, kept[-1][0]
        else:  # one user with more rule rows than a chunk: take them all (cannot happen with sane sizes)
            rows, next_after = rows, boundary
    found = _recipients(rows, subscription_id, channels, problems)
    found.next_after = next_after
    return found


def _with_rules(users: Any, subscription_id: Any, channels: tuple[str, ...]) -> Any:
    """``users`` as ordered rows: ``(pk, *profile)``, or ``(pk, rule subscription, rule channel, enabled, *profile)``.

    The rules are those that can apply to ``subscription_id`` on ``channels``, LEFT JOINed: a
    user has one row per applicable rule, or one row of NULLs. ``profile`` is the user's
    delivery times (:data:`~django_signal_notifier.preferences.times.COLUMNS`), LEFT JOINed too.
    """
    profile = [f"{PROFILE}__{column}" for column in COLUMNS]
    if not channels:
        return users.order_by("pk").values_list("pk", *profile)
    rules = FilteredRelation(
        PREFERENCES,
        condition=(
            Q(**{f"{PREFERENCES}__subscription_id": subscription_id})
            | Q(**{f"{PREFERENCES}__subscription__isnull": True})
        )
        & Q(**{f"{PREFERENCES}__channel__in": [*channels, ANY]})
        & Q(**{f"{PREFERENCES}__verb": ""}),  # rows naming a verb are for messages sent from code
    )
    return (
        users.annotate(rule=rules)
        .order_by("pk")
        .values_list("pk", "rule__subscription_id", "rule__channel", "rule__enabled", *profile)
    )


def _recipients(
    rows: list[tuple[Any, ...]], subscription_id: Any, channels: tuple[str, ...], problems: list[str] | None = None
) -> Recipients:
    times = {}
    for row in rows:
        found = UserTimes.from_columns(row[-len(COLUMNS) :])
        if found is not None:
            times[row[0]] = found
    if not channels:
        return Recipients([row[0] for row in rows], problems or [], times=times)
    ids: list[Any] = []
    rules: dict[Any, UserRules] = {}
    for user_id, rule_subscription, rule_channel, enabled, *_profile in rows:
        if not ids or ids[-1] != user_id:
            ids.append(user_id)
        if rule_channel is not None:
            rules.setdefault(user_id, {})[(rule_subscription, rule_channel)] = bool(enabled)
    muted: dict[str, set[Any]] = {channel: set() for channel in channels}
    for user_id, user_rules in rules.items():
        for channel in channels:
            if not is_enabled(user_rules, subscription_id, channel):
                muted[channel].add(user_id)
    return Recipients(ids, problems or [], muted, times=times)


def resolve_recipient_ids(subscription: SubscriptionSpec, view: Any, using: str | None = None) -> list[Any]:
    """The ids of :func:`resolve_recipients` (problems are logged only)."""
    return resolve_recipients(subscription, view, using).ids


def _names(model: Any) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def _problem(subscription: SubscriptionSpec, what: str, error: BaseException) -> str:
    text = f"{what} of subscription {subscription.id} ({subscription.name}) failed: {type(error).__name__}: {error}"
    logger.error("django-signal-notifier: %s", text, extra={"subscription_id": subscription.id})
    return text


def _static_rows(
    subscription_id: Any,
    users: Any,
    channels: tuple[str, ...],
    after: Any = None,
    limit: int | None = None,
    about: About = (),
) -> list[tuple[Any, ...]]:
    """The static receivers' rows (see :func:`_with_rules`) through a query compiled once per
    database, user model, channels and number of muted keys; with ``limit``, ``limit + 1`` rows
    after ``after``."""
    user_model = users.model
    if user_model._meta.pk.get_internal_type() not in _INTEGER_KEYS:  # keys that need converters: the ORM
        found = users.filter(static_receivers_q(subscription_id)).filter(not_muted_q(about))
        if after is not None:
            found = found.filter(pk__gt=after)
        rows = _with_rules(found, subscription_id, channels)
        return list(rows if limit is None else rows[: limit + 1])
    key = (users.db, user_model._meta.label, channels, limit is not None, len(about))
    if key not in _compiled:
        receivers = users.filter(static_receivers_q(_MARKER)).filter(not_muted_q(_ABOUT_MARKERS[: len(about)]))
        if limit is not None:
            receivers = receivers.filter(pk__gt=_AFTER_MARKER)
        sql, params = _with_rules(receivers, _MARKER, channels).query.sql_with_params()
        if limit is not None:
            sql, params = f"{sql} LIMIT %s", (*params, _LIMIT_MARKER)
        _compiled[key] = (sql, params)
    sql, params = _compiled[key]
    values: dict[Any, Any] = {
        _MARKER: subscription_id,
        _AFTER_MARKER: _FIRST if after is None else after,
        _LIMIT_MARKER: (limit or 0) + 1,
    }
    for markers, key_values in zip(_ABOUT_MARKERS, about, strict=False):
        values.update(zip(markers, key_values, strict=True))
    with connections[users.db].cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) if isinstance(p, int | str) else p for p in params])
        return list(cursor.fetchall())
