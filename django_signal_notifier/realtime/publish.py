"""Publishing inbox writes to the pub/sub once their transaction commits.

Connected to ``signals.inbox_changed``, which the models' inbox writes and the in-site channel's
bulk insert send (one signal per chunk, carrying the chunk's user ids). Nothing is published
for a transaction that rolls back, and a broker that is down costs a logged warning, never the
write: the streams catch up from the database when their listener reconnects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from django_signal_notifier.realtime.brokers import Broker, current_broker
from django_signal_notifier.realtime.messages import encode, kind_of
from django_signal_notifier.signals import inbox_changed

logger = logging.getLogger("django_signal_notifier.realtime")


def _send(broker: Broker, payloads: list[str], using: str | None) -> None:
    try:
        broker.publish(payloads, using)
    except Exception as error:
        logger.warning("Realtime: could not publish an inbox change through %s: %s", broker.name, error)


def publish_inbox_change(
    user_ids: Iterable[Any] | None,
    using: str | None = None,
    *,
    change: Mapping[str, Any] | None = None,
    event_id: int | None = None,
    notification_ids: Iterable[int] = (),
) -> None:
    """Publish, after the current transaction commits, that these users' inbox rows changed."""
    try:
        broker = current_broker()
    except Exception as error:  # a bad setting is reported by the checks; the write goes on
        logger.warning("Realtime: no broker: %s", error)
        return
    if broker is None:
        return
    kind = "new" if event_id is not None else kind_of(change)
    payloads = encode(kind, user_ids, event_id, notification_ids)
    if payloads:
        transaction.on_commit(lambda: _send(broker, payloads, using), using=using)


def _on_inbox_changed(
    sender: Any,
    user_ids: Iterable[Any] | None = None,
    using: str | None = None,
    change: Mapping[str, Any] | None = None,
    event_id: int | None = None,
    notification_ids: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    publish_inbox_change(
        None if user_ids is None else list(user_ids),
        using,
        change=change,
        event_id=event_id,
        notification_ids=notification_ids or (),
    )


def connect_publisher() -> None:
    """Publish every inbox write (called once from the app's start-up)."""
    inbox_changed.connect(_on_inbox_changed, dispatch_uid="django_signal_notifier.realtime.publish")
