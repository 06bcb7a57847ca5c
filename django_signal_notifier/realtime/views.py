"""The stream: ``GET …/inbox/api/stream/``, the signed-in user's inbox changes as Server-Sent Events.

Events: ``notification`` (a new row, as the JSON API shows it; its id is the SSE id), ``count``
(``{"unread_count": n}``), ``read``, ``unread``, ``archived``, ``unarchived`` and ``changed``
(``{"ids": [...], "unread_count": n}``; ``ids`` empty when the write did not list its rows), and
``reset`` when more was missed than ``REALTIME_REPLAY_LIMIT`` (reload the list). Each message has
an ``id``: the newest notification id the stream has sent. A client that reconnects sends it back
as ``Last-Event-ID`` (browsers do so by themselves; ``?last_event_id=`` works too) and the rows
written meanwhile are replayed from the database. An idle stream carries a heartbeat comment
every ``REALTIME_HEARTBEAT`` seconds.

It needs an ASGI server and a pub/sub (:mod:`.brokers`). Without either it answers 204, which
tells an ``EventSource`` to stop reconnecting; the pages poll instead (:func:`stream_available`).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from django_signal_notifier.conf import app_settings
from django_signal_notifier.inbox.queries import as_json, attach_references, unread_count
from django_signal_notifier.models import Notification
from django_signal_notifier.realtime.brokers import Broker, current_broker
from django_signal_notifier.realtime.hub import RESYNC, Hub, Update, hub_for

T = TypeVar("T")
RETRY_MS = 2000  # how long a browser waits before reconnecting a dropped stream
LISTENER_WAIT = 5.0  # seconds a new stream waits for its process's listener (at start-up only)
_SENT_MEMORY = 256  # ids a stream remembers, so a row replayed and then published is sent once


def _broker() -> Broker | None:
    try:
        return current_broker()
    except ImproperlyConfigured:  # reported by the system checks (E060); the pages poll meanwhile
        return None


def stream_available(request: HttpRequest) -> bool:
    """Can this request's pages use the stream? Under ASGI with a pub/sub configured."""
    return isinstance(request, ASGIRequest) and _broker() is not None


@dataclass
class Replay:
    """What a stream sends when it opens: the rows missed since its cursor and the unread count."""

    rows: list[dict[str, Any]]
    unread_count: int
    cursor: int
    truncated: bool


def _closing_connections(read: Callable[..., T]) -> Callable[..., T]:
    """``read``, then this request's database connections closed.

    A stream's request lasts as long as the stream: Django would close its connection only at
    the end, so a thousand open streams would hold a thousand connections. The stream reads the
    database only when it opens (and resynchronises), so it gives its connection back at once.
    """

    @wraps(read)
    def wrapped(*args: Any, **kwargs: Any) -> T:
        try:
            return read(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapped


@_closing_connections
def signed_in_user_id(request: HttpRequest) -> int | None:
    """The request's user id (loaded through its session), None for an anonymous request."""
    user = request.user
    return int(user.pk) if user.is_authenticated else None


@_closing_connections
def load_replay(user_id: int, cursor: int | None) -> Replay:
    """The user's active rows newer than ``cursor`` (at most REALTIME_REPLAY_LIMIT, oldest first).

    Without a cursor nothing is replayed: the stream starts at the user's newest row.
    """
    mine = Notification.objects.filter(recipient_id=user_id)
    unread = unread_count(user_id)
    if cursor is None:
        newest = mine.aggregate(newest=Max("pk"))["newest"] or 0
        return Replay([], unread, int(newest), False)
    limit = int(app_settings.REALTIME_REPLAY_LIMIT)
    missed = list(mine.active().filter(pk__gt=cursor).order_by("-pk")[: limit + 1])
    truncated = len(missed) > limit
    missed = missed[:limit][::-1]
    attach_references(missed)
    newest = max([cursor, *(row.pk for row in missed)])
    return Replay([as_json(row) for row in missed], unread, newest, truncated)


def sse(event: str, data: Any, event_id: int) -> str:
    """One Server-Sent Events message."""
    return f"id: {event_id}\nevent: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class Stream:
    """The messages of one open stream, from its replay to the client's disconnect."""

    def __init__(self, hub: Hub, user_id: int, cursor: int | None) -> None:
        self.hub = hub
        self.user_id = user_id
        self.cursor = cursor
        self.sent: deque[int] = deque(maxlen=_SENT_MEMORY)

    def _rows(self, rows: list[dict[str, Any]]) -> list[str]:
        messages = []
        for row in rows:
            if row["id"] in self.sent:
                continue
            self.sent.append(row["id"])
            self.cursor = max(self.cursor or 0, row["id"])
            messages.append(sse("notification", row, self.cursor))
        return messages

    async def _replay(self) -> list[str]:
        async with self.hub.opening_reads:
            replay = await sync_to_async(load_replay)(self.user_id, self.cursor)
        messages = self._rows(replay.rows)
        self.cursor = max(self.cursor or 0, replay.cursor)
        if replay.truncated:
            messages.append(sse("reset", {"unread_count": replay.unread_count}, self.cursor))
        messages.append(sse("count", {"unread_count": replay.unread_count}, self.cursor))
        return messages

    def _update(self, update: Update) -> list[str]:
        cursor = self.cursor or 0
        if update.kind == "new":
            messages = self._rows(update.rows)
        else:
            payload = {"ids": list(update.notification_ids), "unread_count": update.unread_count}
            messages = [sse(update.kind, payload, cursor)]
        messages.append(sse("count", {"unread_count": update.unread_count}, self.cursor or 0))
        return messages

    async def __aiter__(self) -> AsyncIterator[str]:
        # Subscribed before the replay's read, so a row committed in between is not lost (a row
        # both replayed and published is sent once).
        subscription = self.hub.subscribe(self.user_id)
        heartbeat = float(app_settings.REALTIME_HEARTBEAT)
        try:
            yield f"retry: {RETRY_MS}\n\n"
            # The replay must read after the listener listens: a row committed in between would
            # be neither replayed nor heard. (Past the wait, the listener's RESYNC covers it.)
            try:
                await asyncio.wait_for(self.hub.connected.wait(), LISTENER_WAIT)
            except TimeoutError:
                self.hub.waited = True
            for message in await self._replay():
                yield message
            while True:
                try:
                    update = await asyncio.wait_for(subscription.queue.get(), heartbeat)
                except TimeoutError:
                    yield ": heartbeat\n\n"
                    continue
                messages = await self._replay() if update is RESYNC else self._update(update)
                for message in messages:
                    yield message
        finally:
            self.hub.unsubscribe(subscription)


def _cursor(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    try:
        return max(0, int(str(raw))) if raw not in (None, "") else None
    except ValueError:
        return None


@require_safe
async def stream(request: HttpRequest) -> HttpResponseBase:
    """GET: the signed-in user's inbox changes as ``text/event-stream`` (204 where it cannot run)."""
    broker = _broker() if isinstance(request, ASGIRequest) else None
    if broker is None:
        user_id = await sync_to_async(signed_in_user_id)(request)
        if user_id is None:
            return JsonResponse({"error": _("Authentication required.")}, status=401)
        return HttpResponse(status=204)
    hub = hub_for(broker)
    async with hub.opening_reads:
        user_id = await sync_to_async(signed_in_user_id)(request)
    if user_id is None:
        return JsonResponse({"error": _("Authentication required.")}, status=401)
    events = Stream(hub, user_id, _cursor(request))
    response = StreamingHttpResponse(aiter(events), content_type="text/event-stream")
    response["Cache-Control"] = "private, no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    return response
