"""Recipients: who receives an event's messages, resolved as ids in set-based queries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections

from django_signal_notifier.models.subscription import static_receivers_q
from django_signal_notifier.specs import SubscriptionSpec

# Building and compiling the recipient query costs ~25x more than running it, and its SQL only
# depends on the database and the user model: it is compiled once, with a marker in place of
# the subscription id, then run with each subscription's id.
_MARKER = -7_340_041
_INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
_compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}


def resolve_recipient_ids(subscription: SubscriptionSpec, view: Any, using: str | None = None) -> list[Any]:
    """The ids of the subscription's receivers for this event, each once, in a stable order.

    One query, whatever the number of users and groups.
    """
    user_model = get_user_model()
    users = user_model._default_manager.db_manager(using)
    if user_model._meta.pk.get_internal_type() not in _INTEGER_KEYS:  # keys that need converters: the ORM
        return list(users.filter(static_receivers_q(subscription.id)).order_by("pk").values_list("pk", flat=True))
    key = (users.db, user_model._meta.label)
    if key not in _compiled:
        query = users.filter(static_receivers_q(_MARKER)).order_by("pk").values_list("pk", flat=True).query
        _compiled[key] = query.sql_with_params()
    sql, params = _compiled[key]
    with connections[users.db].cursor() as cursor:
        cursor.execute(sql, [subscription.id if p == _MARKER else p for p in params])
        return [row[0] for row in cursor.fetchall()]


def load_users(ids: list[Any], using: str | None = None) -> dict[Any, Any]:
    """Users by id, in one query."""
    return get_user_model()._default_manager.db_manager(using).in_bulk(ids)
