"""The hub: one pub/sub listener per process, fanned in to the open streams of each user.

Every stream subscribes its user here. The listener reads each message once; for the users of
the message that have a stream open in this process it reads the database once (the new rows of
the event and the unread counts, the badge's, in two queries whatever the number of users or streams) and
puts an :class:`Update` on each of their streams' queues. A stream never polls the database.
When the listener's connection is lost it reconnects with a backoff, and every stream is told
to resynchronise from the database (what was published meanwhile was not heard).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DatabaseError, connections

from django_signal_notifier.inbox.queries import as_json, attach_references
from django_signal_notifier.models import Notification
from django_signal_notifier.realtime.brokers import Broker
from django_signal_notifier.realtime.messages import InboxMessage, decode

logger = logging.getLogger("django_signal_notifier.realtime")
QUEUE_SIZE = 64  # updates waiting for one slow stream; beyond that it resynchronises instead
MAX_BACKOFF = 30.0
# Streams reading the database at once (signing in, replaying). Each read borrows a connection
# for a moment; a thousand tabs reconnecting together after a restart must not ask for a
# thousand connections at the same time.
OPENING_READS = 8


@dataclass
class Update:
    """What one stream is told: a kind, the user's new rows (as JSON), their unread count."""

    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    unread_count: int | None = None
    notification_ids: tuple[int, ...] = ()


RESYNC = Update(kind="resync")


class Subscription:
    """One open stream of one user."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.queue: asyncio.Queue[Update] = asyncio.Queue(QUEUE_SIZE)

    def put(self, update: Update) -> None:
        try:
            self.queue.put_nowait(update)
        except asyncio.QueueFull:
            # A stream that cannot keep up drops what waits and re-reads its user's state instead.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)


def load_updates(message: InboxMessage, user_ids: list[int]) -> dict[int, Update]:
    """The updates of ``user_ids`` for one message: two queries for all of them.

    The hub's thread keeps its connection between messages; one lost meanwhile (a database
    restart) is opened again once.
    """
    try:
        return _load_updates(message, user_ids)
    except DatabaseError:
        connections.close_all()
        return _load_updates(message, user_ids)


def _load_updates(message: InboxMessage, user_ids: list[int]) -> dict[int, Update]:
    rows_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if message.kind == "new" and message.event_id is not None:
        rows = list(Notification.objects.filter(event_id=message.event_id, recipient_id__in=user_ids).order_by("pk"))
        attach_references(rows)
        for row in rows:
            rows_of[row.recipient_id].append(as_json(row))
    counts = Notification.objects.unread_entry_counts(user_ids)
    return {
        uid: Update(message.kind, rows_of.get(uid, []), counts.get(uid, 0), message.notification_ids)
        for uid in user_ids
    }


class Hub:
    """The streams of this process, by user, and the one listener that feeds them."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.subscriptions: dict[int, set[Subscription]] = defaultdict(set)
        self.listener: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        # One thread reads for the hub, on one database connection kept open between messages.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dsn-realtime")
        self.closed = False
        self.opening_reads = asyncio.Semaphore(OPENING_READS)
        self.waited = False  # a stream gave up waiting for the listener: it must resynchronise

    def subscribe(self, user_id: int) -> Subscription:
        """A new stream of ``user_id``; the listener starts with the first one."""
        subscription = Subscription(user_id)
        self.subscriptions[user_id].add(subscription)
        if self.listener is None or self.listener.done():
            self.listener = asyncio.get_running_loop().create_task(self._listen(), name="dsn-realtime-listener")
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        streams = self.subscriptions.get(subscription.user_id)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self.subscriptions[subscription.user_id]

    def close(self) -> None:
        """Stop listening (the streams still open end with their clients)."""
        if self.closed:
            return
        self.closed = True
        if self.listener is not None:
            self.listener.cancel()
        self.executor.submit(connections.close_all)  # the hub thread's own connection
        self.executor.shutdown(wait=False)

    @property
    def stream_count(self) -> int:
        return sum(len(streams) for streams in self.subscriptions.values())

    async def _listen(self) -> None:
        backoff, reconnecting = 0.5, False
        while True:
            try:
                async for payload in self.broker.listen(partial(self._ready, reconnecting)):
                    backoff = 0.5
                    await self.dispatch(payload)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("Realtime: the %s listener stopped (%s); reconnecting", self.broker.name, error)
            reconnecting = True
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _ready(self, reconnecting: bool) -> None:
        """The listener listens: streams that lived through an outage re-read what they missed."""
        self.connected.set()
        waited, self.waited = self.waited, False
        if reconnecting or waited:
            for streams in self.subscriptions.values():
                for subscription in streams:
                    subscription.put(RESYNC)

    async def dispatch(self, payload: str) -> None:
        """Fan one payload out to the streams of its users in this process."""
        message = decode(payload)
        if message is None:
            return
        wanted = self.subscriptions.keys() if message.user_ids is None else message.user_ids
        local = [uid for uid in wanted if uid in self.subscriptions]
        if not local:
            return
        loop = asyncio.get_running_loop()
        updates = await loop.run_in_executor(self.executor, load_updates, message, local)
        for uid, update in updates.items():
            for subscription in list(self.subscriptions.get(uid, ())):
                subscription.put(update)


_hubs: WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = WeakKeyDictionary()


def hub_for(broker: Broker) -> Hub:
    """This event loop's hub (one per process under an ASGI server: it runs one loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.closed or hub.broker is not broker:
        if hub is not None:
            hub.close()
        hub = _hubs[loop] = Hub(broker)
    return hub
