"""The real pub/subs: PostgreSQL LISTEN/NOTIFY (one listening connection per process) and Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext

from django_signal_notifier import declare
from django_signal_notifier.models import Notification
from django_signal_notifier.realtime.brokers import PostgresBroker, RedisBroker, current_broker
from django_signal_notifier.realtime.hub import _hubs
from tests.realtime.sse import Message, events, messages_of, read_until
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def close_hubs() -> Iterator[None]:
    yield
    for hub in list(_hubs.values()):
        hub.close()


@pytest.fixture
def pg_only(postgres: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (DSN_TEST_DB=postgres)")


def _users(count: int) -> list[Any]:
    model = get_user_model()
    users = [model.objects.create_user(f"user{i}", password="pw") for i in range(count)]
    trigger = declare.trigger("article-created", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-all", trigger=trigger, backends=[inbox], users=users)
    return users


async def _stream(user: Any) -> Any:
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    response = await client.get("/inbox/api/stream/")
    assert response.status_code == 200
    return messages_of(aiter(response.streaming_content))


def _listeners() -> int:
    if connection.vendor != "postgresql":
        return -1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %%'"
        )
        return int(cursor.fetchone()[0])


def _scenario(users: list[Any]) -> tuple[list[list[Message]], int]:
    async def run() -> tuple[list[list[Message]], int]:
        streams = [await _stream(user) for user in users]
        for stream in streams:
            await read_until(stream, lambda seen: any(m.event == "count" for m in seen))
        listening = await sync_to_async(_listeners)()
        await sync_to_async(Article.objects.create)(title="To everyone")  # one chunk: one NOTIFY
        seen = [
            await read_until(stream, lambda seen: any(m.event == "count" for m in seen), timeout=10)
            for stream in streams
        ]
        return seen, listening

    return async_to_sync(run)()


def test_postgres_notify_reaches_every_stream_through_one_listening_connection(pg_only: None) -> None:
    users = _users(5)
    assert isinstance(current_broker(), PostgresBroker)  # "auto" on PostgreSQL
    seen, listening = _scenario(users)
    assert listening == 1  # five streams, one LISTEN connection
    for user, messages in zip(users, seen, strict=True):
        row = Notification.objects.get(recipient=user)
        assert events(messages) == ["notification", "count"]
        assert messages[0].id == row.pk and messages[1].data == {"unread_count": 1}


def test_a_fan_out_chunk_is_one_notify_after_its_commit(pg_only: None, settings: Any) -> None:
    """The realtime inbox's whole cost in the writer: one ``pg_notify`` per chunk, whatever its size."""
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_CHUNK_SIZE": 1000}
    users = _users(300)
    with CaptureQueriesContext(connection) as captured:
        Article.objects.create(title="To 300 users")
    notifies = [q["sql"] for q in captured.captured_queries if "pg_notify" in q["sql"]]
    assert len(notifies) == 1
    assert Notification.objects.count() == 300
    sql = [q["sql"] for q in captured.captured_queries]
    inserted = max(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "django_signal_notifier_notification"'))
    committed = next(i for i, q in enumerate(sql) if i > inserted and q.upper().startswith("COMMIT"))
    assert sql.index(notifies[0]) > committed  # a row not committed yet is never announced
    assert sorted(json.loads(notifies[0].split("'")[3])["u"]) == sorted(u.pk for u in users)


def test_redis_pubsub_when_configured(redis_url: str, settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {
        **settings.SIGNAL_NOTIFIER,
        "REALTIME_REDIS_URL": redis_url,
        "REALTIME_CHANNEL": "dsn_inbox_test_rt20",
    }
    users = _users(2)
    assert isinstance(current_broker(), RedisBroker)  # "auto" with a Redis URL, whatever the database
    seen, _listening = _scenario(users)
    for user, messages in zip(users, seen, strict=True):
        assert events(messages) == ["notification", "count"]
        assert messages[0].id == Notification.objects.get(recipient=user).pk
