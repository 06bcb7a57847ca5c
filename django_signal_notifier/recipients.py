"""Recipients: who receives an event's messages, resolved as ids in set-based queries."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, transaction
from django.db.models import Model, Q

from django_signal_notifier.dynamic_receivers import callable_q, path_q
from django_signal_notifier.models.subscription import static_receivers_q
from django_signal_notifier.specs import SubscriptionSpec

logger = logging.getLogger("django_signal_notifier.recipients")

# Building and compiling the recipient query costs ~25x more than running it, and its SQL only
# depends on the database and the user model: it is compiled once, with a marker in place of
# the subscription id, then run with each subscription's id.
_MARKER = -7_340_041
_INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
_compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}


@dataclass
class Recipients:
    """The receivers' ids, and the problems met resolving the dynamic ones (recorded by the fan-out)."""

    ids: list[Any]
    problems: list[str] = field(default_factory=list)


def resolve_recipients(subscription: SubscriptionSpec, view: Any, using: str | None = None) -> Recipients:
    """The subscription's receivers for this event, each once, in a stable order.

    One query, whatever the number of users, groups and dynamic receivers (a dynamic path whose
    first hop is a foreign key on the instance adds a subquery, not a query). A broken path or
    callable is left out and reported in ``problems``; the other receivers still get the message.
    """
    users = get_user_model()._default_manager.db_manager(using)
    static = static_receivers_q(subscription.id)
    if not subscription.has_dynamic_receivers and not subscription.exclude_actor:
        return Recipients(_static_ids(subscription.id, users))
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
        except Exception as error:
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
    query &= narrowing
    ids_query = users.filter(query).order_by("pk").values_list("pk", flat=True)
    if not lazy:
        return Recipients(list(ids_query), problems)
    try:
        with transaction.atomic(using=users.db):  # a savepoint: a failing user queryset spares the event
            return Recipients(list(ids_query), problems)
    except DatabaseError as error:
        problems.append(_problem(subscription, f"receiver callable {subscription.receiver_callable!r}", error))
        without = users.filter(static & narrowing)
        return Recipients(list(without.order_by("pk").values_list("pk", flat=True)), problems)


def resolve_recipient_ids(subscription: SubscriptionSpec, view: Any, using: str | None = None) -> list[Any]:
    """The ids of :func:`resolve_recipients` (problems are logged only)."""
    return resolve_recipients(subscription, view, using).ids


def _names(model: Any) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def _problem(subscription: SubscriptionSpec, what: str, error: Exception) -> str:
    text = f"{what} of subscription {subscription.id} ({subscription.name}) failed: {type(error).__name__}: {error}"
    logger.error("django-signal-notifier: %s", text, extra={"subscription_id": subscription.id})
    return text


def _static_ids(subscription_id: Any, users: Any) -> list[Any]:
    """The static receivers' ids through a query compiled once per database and user model."""
    user_model = users.model
    if user_model._meta.pk.get_internal_type() not in _INTEGER_KEYS:  # keys that need converters: the ORM
        return list(users.filter(static_receivers_q(subscription_id)).order_by("pk").values_list("pk", flat=True))
    key = (users.db, user_model._meta.label)
    if key not in _compiled:
        query = users.filter(static_receivers_q(_MARKER)).order_by("pk").values_list("pk", flat=True).query
        _compiled[key] = query.sql_with_params()
    sql, params = _compiled[key]
    with connections[users.db].cursor() as cursor:
        cursor.execute(sql, [subscription_id if p == _MARKER else p for p in params])
        return [row[0] for row in cursor.fetchall()]


def load_users(ids: list[Any], using: str | None = None) -> dict[Any, Any]:
    """Users by id, in one query."""
    return get_user_model()._default_manager.db_manager(using).in_bulk(ids)
