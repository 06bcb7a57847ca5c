"""The pub/sub that carries inbox changes between processes: PostgreSQL LISTEN/NOTIFY or Redis.

A broker publishes from the synchronous code that wrote the rows (after commit) and listens from
the ASGI process's event loop, one connection per process (:mod:`.hub`). Which broker runs is
``SIGNAL_NOTIFIER["REALTIME_BROKER"]``; :func:`current_broker` is None when there is none
(SQLite without Redis, or the setting None): the pages then poll.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router

from django_signal_notifier.conf import app_settings
from django_signal_notifier.models import Notification

# Both clients are optional: psycopg 3 for the PostgreSQL broker, redis for the Redis one.
try:
    import psycopg
    from psycopg.conninfo import make_conninfo
except ImportError:  # pragma: no cover - psycopg2 or no PostgreSQL at all
    psycopg = None  # type: ignore[assignment]
try:
    import redis
    from redis import asyncio as redis_asyncio
except ImportError:  # pragma: no cover - pip install django-signal-notifier[realtime-redis]
    redis = None  # type: ignore[assignment]

logger = logging.getLogger("django_signal_notifier.realtime")
CHANNEL_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Connection settings that psycopg's conninfo understands (Django's OPTIONS may hold others).
_CONNINFO_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "service")


def channel_name() -> str:
    """The channel, checked: it is written into ``LISTEN`` as an identifier."""
    name = str(app_settings.REALTIME_CHANNEL)
    if not CHANNEL_NAME.match(name):
        raise ImproperlyConfigured(
            f'SIGNAL_NOTIFIER["REALTIME_CHANNEL"] = {name!r}: use lower-case letters, digits and underscores.'
        )
    return name


class Broker:
    """Publish payloads from synchronous code; listen to them from an event loop."""

    name = ""

    def publish(self, payloads: list[str], using: str | None) -> None:
        raise NotImplementedError

    def listen(self, ready: Callable[[], None]) -> AsyncIterator[str]:
        """The payloads as they arrive, from one new connection; ends (or raises) when it is lost.

        ``ready()`` is called once the connection listens.
        """
        raise NotImplementedError


class PostgresBroker(Broker):
    """``NOTIFY`` on the connection that wrote, ``LISTEN`` on one psycopg 3 async connection."""

    name = "postgres"

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def publish(self, payloads: list[str], using: str | None) -> None:
        connection = connections[using or self.alias]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for payload in payloads:
                cursor.execute("SELECT pg_notify(%s, %s)", [channel_name(), payload])

    def conninfo(self) -> str:
        """The listener's connection string, from the database's settings (its test name in tests)."""
        settings = connections[self.alias].settings_dict
        params: dict[str, Any] = {
            "dbname": settings.get("NAME"),
            "user": settings.get("USER"),
            "password": settings.get("PASSWORD"),
            "host": settings.get("HOST"),
            "port": settings.get("PORT"),
        }
        options = settings.get("OPTIONS") or {}
        params.update({key: options[key] for key in _CONNINFO_OPTIONS if key in options})
        return make_conninfo(**{key: str(value) for key, value in params.items() if value not in (None, "")})

    async def listen(self, ready: Callable[[], None]) -> AsyncIterator[str]:
        connection = await psycopg.AsyncConnection.connect(self.conninfo(), autocommit=True)
        try:
            await connection.execute(f"LISTEN {channel_name()}")
            ready()
            async for notify in connection.notifies():
                yield notify.payload
        finally:
            await connection.close()


class RedisBroker(Broker):
    """Redis ``PUBLISH`` / ``SUBSCRIBE`` on ``REALTIME_REDIS_URL``."""

    name = "redis"

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None

    def publish(self, payloads: list[str], using: str | None) -> None:
        if self._client is None:
            self._client = redis.Redis.from_url(self.url)
        channel = channel_name()
        for payload in payloads:
            self._client.publish(channel, payload)

    async def listen(self, ready: Callable[[], None]) -> AsyncIterator[str]:
        client = redis_asyncio.Redis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel_name())
            ready()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    data = message["data"]
                    yield data.decode() if isinstance(data, bytes) else str(data)
        finally:
            await pubsub.aclose()
            await client.aclose()


class ProcessBroker(Broker):
    """Within one process only: for a single-process server on SQLite (the demo), no service needed.

    Writes made by another process (a worker, ``manage.py shell``) are not heard: use PostgreSQL
    or Redis there.
    """

    name = "process"

    def __init__(self) -> None:
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = set()
        self._lock = threading.Lock()

    def publish(self, payloads: list[str], using: str | None) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for loop, queue in listeners:
            for payload in payloads:
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, payload)
                except RuntimeError:  # that loop was closed under its listener
                    with self._lock:
                        self._listeners.discard((loop, queue))

    async def listen(self, ready: Callable[[], None]) -> AsyncIterator[str]:
        listener = (asyncio.get_running_loop(), asyncio.Queue[str]())
        with self._lock:
            self._listeners.add(listener)
        try:
            ready()
            while True:
                yield await listener[1].get()
        finally:
            with self._lock:
                self._listeners.discard(listener)


@lru_cache(maxsize=8)
def _broker(setting: str | None, redis_url: str | None, alias: str, vendor: str) -> Broker | None:
    if setting in (None, "", "off"):
        return None
    if setting == "process":
        return ProcessBroker()
    if setting == "redis" or (setting == "auto" and redis_url):
        if not redis_url:
            raise ImproperlyConfigured('SIGNAL_NOTIFIER["REALTIME_BROKER"] = "redis" needs REALTIME_REDIS_URL.')
        if redis is None:
            raise ImproperlyConfigured("REALTIME_REDIS_URL is set but redis is not installed (pip install redis).")
        return RedisBroker(redis_url)
    if setting in ("postgres", "auto") and vendor == "postgresql" and psycopg is not None:
        return PostgresBroker(alias)
    if setting == "postgres":
        raise ImproperlyConfigured(
            f'SIGNAL_NOTIFIER["REALTIME_BROKER"] = "postgres" needs PostgreSQL and psycopg 3; {alias!r} is {vendor}.'
        )
    if setting != "auto":
        raise ImproperlyConfigured(
            f'SIGNAL_NOTIFIER["REALTIME_BROKER"] = {setting!r}: use "auto", "postgres", "redis", "process" or None.'
        )
    return None


def current_broker() -> Broker | None:
    """The configured broker, or None when no pub/sub is available (then the pages poll)."""
    alias = router.db_for_write(Notification)
    return _broker(app_settings.REALTIME_BROKER, app_settings.REALTIME_REDIS_URL, alias, connections[alias].vendor)
