"""Recipients: who receives an event's messages, resolved as ids in set-based queries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from django_signal_notifier.models.subscription import static_receivers_q
from django_signal_notifier.specs import SubscriptionSpec


def resolve_recipient_ids(subscription: SubscriptionSpec, view: Any, using: str | None = None) -> list[Any]:
    """The ids of the subscription's receivers for this event, each once, in a stable order.

    One query, whatever the number of users and groups.
    """
    users = get_user_model()._default_manager.db_manager(using)
    return list(users.filter(static_receivers_q(subscription.id)).order_by("pk").values_list("pk", flat=True))


def load_users(ids: list[Any], using: str | None = None) -> dict[Any, Any]:
    """Users by id, in one query."""
    return get_user_model()._default_manager.db_manager(using).in_bulk(ids)
