"""Digests: a recipient's held messages of one window collapsed into one delivery.

The fan-out writes a digest subscription's deliveries as ``pending`` with a ``digest_key``
(subscription:backend:recipient); such rows are never due, so nothing sends them one by one.
:func:`collapse_due_digests` (run by ``manage.py signal_notifier digest`` or the
:func:`send_digests` task, on a schedule) finds each key whose window has closed — the window
opens with the key's oldest held message and lasts ``Subscription.digest_seconds`` — renders
the window's messages with the digest template into the oldest row, which becomes due, and
marks the others ``skipped`` "in digest #id". Messages after the window wait for the next one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Min
from django.utils import timezone, translation

from django_signal_notifier.delivery import tasks
from django_signal_notifier.events.snapshot import safe_text
from django_signal_notifier.fanout.policies import OPTED_OUT
from django_signal_notifier.models import Delivery, DeliveryStatus, Profile, Subscription
from django_signal_notifier.preferences.rules import opted_out
from django_signal_notifier.preferences.times import COLUMNS, UserTimes
from django_signal_notifier.rendering.base import RenderedMessage
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.rendering.render import load_users
from django_signal_notifier.taskapi import task

logger = logging.getLogger("django_signal_notifier.digests")

DEFAULT_DIGEST_TEMPLATE = "DigestMessageTemplate"
MAX_WINDOWS_PER_KEY = 1000  # bounds one run's work on a key with a long backlog


def held(using: str | None = None) -> Any:
    """Deliveries waiting for their digest."""
    return Delivery.objects.using(using).filter(status=DeliveryStatus.PENDING).exclude(digest_key="")


def collapse_due_digests(now: datetime | None = None, using: str | None = None) -> list[int]:
    """Collapse every closed window; returns the ids of the deliveries now due (to enqueue)."""
    now = now or timezone.now()
    db = using or router.db_for_write(Delivery)
    heads = list(held(db).values("digest_key").annotate(start=Min("created_at")).order_by("start"))
    subscription_ids = {_subscription_id(head["digest_key"]) for head in heads}
    subscriptions = Subscription.objects.using(db).in_bulk([s for s in subscription_ids if s is not None])
    recipients = _delivery_times(db, heads)
    ready: list[int] = []
    for head in heads:
        key, start = head["digest_key"], head["start"]
        subscription = subscriptions.get(_subscription_id(key))
        seconds = subscription.digest_seconds if subscription is not None else 0
        times = recipients.get(_recipient_id(key))
        chosen = times.digest_seconds if times is not None else None
        if chosen is not None and subscription is not None and not subscription.mandatory:
            seconds = chosen  # the recipient's own frequency (preferences page)
        for _ in range(MAX_WINDOWS_PER_KEY):
            end = start + timedelta(seconds=seconds)
            if end > now:
                break
            taken = _collapse(db, key, start, end, subscription, now, times)
            if taken is None:
                break  # another run holds this window
            ready.extend(taken)
            start = held(db).filter(digest_key=key).aggregate(start=Min("created_at"))["start"]
            if start is None:
                break
    return ready


def _delivery_times(db: str, heads: list[dict[str, Any]]) -> dict[str, UserTimes]:
    """The delivery times (digest frequency, quiet hours) of the recipients of ``heads``, by id as text: one query."""
    recipients = {_recipient_id(head["digest_key"]) for head in heads} - {""}
    if not recipients:
        return {}
    found = {}
    for user_id, *columns in Profile.objects.using(db).filter(user_id__in=recipients).values_list("user_id", *COLUMNS):
        times = UserTimes.from_columns(tuple(columns))
        if times is not None:
            found[str(user_id)] = times
    return found


def _recipient_id(key: str) -> str:
    return key.rsplit(":", 1)[-1] if key.count(":") >= 2 else ""


def _subscription_id(key: str) -> int | None:
    head = key.split(":", 1)[0]
    return int(head) if head.isdigit() else None


def _collapse(
    db: str, key: str, start: datetime, end: datetime, subscription: Any, now: datetime, times: UserTimes | None = None
) -> list[int] | None:
    """Collapse one window; the ids now due, or None when its rows are gone or locked by another run.

    A digest collapsed in its recipient's quiet hours is held until they end (the sweeper sends it).
    """
    until = times.quiet_until(now) if times is not None else None
    due, why = (until, times.held_reason(until)) if until is not None and times is not None else (now, "")
    with transaction.atomic(using=db):
        window = held(db).filter(digest_key=key, created_at__gte=start)
        if end > start:
            window = window.filter(created_at__lt=end)
        if connections[db].features.has_select_for_update_skip_locked:
            window = window.select_for_update(skip_locked=True)
        rows = list(window.order_by("created_at", "pk"))
        if not rows:
            return None
        if _opted_out_since(db, rows[0], subscription):
            Delivery.objects.using(db).filter(pk__in=[row.pk for row in rows]).update(
                status=DeliveryStatus.SKIPPED, reason=OPTED_OUT, digest_key="", updated_at=now
            )
            return []
        if end == start or len(rows) == 1:
            # No digest window any more (subscription changed or deleted), or a single message:
            # send as written.
            ids = [row.pk for row in rows]
            Delivery.objects.using(db).filter(pk__in=ids).update(
                digest_key="", next_attempt_at=due, reason=why, updated_at=now
            )
            return ids
        first, rest = rows[0], rows[1:]
        try:
            rendered = render_digest(rows, subscription, start, end)
        except Exception as error:
            logger.exception("digest %s could not be rendered", key)
            Delivery.objects.using(db).filter(pk__in=[row.pk for row in rows]).update(
                status=DeliveryStatus.DEAD,
                reason="configuration error",
                last_error=f"digest template error: {safe_text(error, 900)}",
                digest_key="",
                updated_at=now,
            )
            return []
        Delivery.objects.using(db).filter(pk=first.pk).update(
            content=rendered.as_content(), digest_key="", next_attempt_at=due, reason=why, updated_at=now
        )
        Delivery.objects.using(db).filter(pk__in=[row.pk for row in rest]).update(
            status=DeliveryStatus.SKIPPED, reason=f"in digest #{first.pk}", updated_at=now
        )
        return [first.pk]


def _opted_out_since(db: str, first: Delivery, subscription: Any) -> bool:
    """Whether the recipient turned this subscription off while its messages were held."""
    if first.recipient_id is None or subscription is None or subscription.mandatory:
        return False
    muted = opted_out(subscription.pk, [first.channel], db, user_ids=[first.recipient_id])
    return first.recipient_id in muted[first.channel]


def render_digest(rows: list[Delivery], subscription: Any, since: datetime, until: datetime) -> RenderedMessage:
    """Render the digest of ``rows`` (one recipient's held deliveries) in the recipient's language."""
    name = (subscription.digest_template if subscription is not None else "") or DEFAULT_DIGEST_TEMPLATE
    template_cls = template_registry.get(name)
    if template_cls is None:
        raise ValueError(f"unknown digest template {name!r}")
    first = rows[0]
    recipient = load_users([first.recipient_id], first._state.db).get(first.recipient_id)
    items = [RenderedMessage.from_content(row.content or {}) for row in rows]
    context = {
        "count": len(rows),
        "items": items,
        "since": since,
        "until": until,
        "window": int((until - since).total_seconds()),
        "subscription": subscription,
        "trigger": subscription.trigger if subscription is not None else None,
        "recipient": recipient,
        "user": recipient,
    }
    with translation.override(first.language or None):
        return template_cls().render_message(context)


def send_digests_now(now: datetime | None = None) -> list[int]:
    """Collapse closed windows and enqueue the resulting deliveries."""

    ready = collapse_due_digests(now)
    if ready:
        db = router.db_for_write(Delivery)
        transaction.on_commit(lambda: tasks.enqueue_deliveries(ready), using=db)
    return ready


@task()
def send_digests() -> int:
    """The periodic task: collapse closed digest windows and enqueue them. Returns how many."""
    return len(send_digests_now())
