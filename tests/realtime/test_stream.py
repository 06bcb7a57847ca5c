"""The stream under ASGI (Django's async test client), fed by the in-process broker.

Real writes through the pipeline (a trigger, the in-site channel, the fan-out after commit) and
the inbox's own write methods; the stream's replay reads the real database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import AsyncClient, Client
from django.utils import timezone

from django_signal_notifier import declare, notify
from django_signal_notifier.models import Notification
from django_signal_notifier.realtime.brokers import ProcessBroker, current_broker
from django_signal_notifier.realtime.hub import _hubs
from django_signal_notifier.realtime.publish import publish_inbox_change
from tests.realtime.sse import Message, events, messages_of, read_until
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)
STREAM = "/inbox/api/stream/"


@pytest.fixture(autouse=True)
def realtime(settings: Any) -> Iterator[None]:
    settings.SIGNAL_NOTIFIER = {
        **settings.SIGNAL_NOTIFIER,
        "REALTIME_BROKER": "process",
        "REALTIME_HEARTBEAT": 0.3,
    }
    yield
    for hub in list(_hubs.values()):
        hub.close()


@pytest.fixture
def users() -> tuple[Any, Any]:
    model = get_user_model()
    alice = model.objects.create_user("alice", password="pw")
    bob = model.objects.create_user("bob", password="pw")
    trigger = declare.trigger("article-created", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-alice", trigger=trigger, backends=[inbox], users=[alice])
    return alice, bob


async def open_stream(user: Any, **headers: str) -> Any:
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    response = await client.get(STREAM, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["X-Accel-Buffering"] == "no"
    return messages_of(aiter(response.streaming_content))


def has(event: str, count: int = 1) -> Any:
    return lambda seen: sum(m.event == event for m in seen) >= count


def test_a_new_notification_reaches_its_user_and_only_her(users: tuple[Any, Any]) -> None:
    alice, bob = users

    async def scenario() -> tuple[list[Message], list[Message]]:
        alices = await open_stream(alice)
        bobs = await open_stream(bob)
        opening = await read_until(alices, has("count"))
        assert opening[-1].data == {"unread_count": 0}
        await read_until(bobs, has("count"))
        await sync_to_async(Article.objects.create)(title="Live")  # committed: fan-out, then publish
        seen = await read_until(alices, has("count"))
        # bob's stream hears only its heartbeats meanwhile.
        heard_by_bob = await read_until(bobs, has("heartbeat", 2))
        return seen, heard_by_bob

    seen, heard_by_bob = async_to_sync(scenario)()
    row = Notification.objects.get(recipient=alice)
    assert events(seen) == ["notification", "count"]
    assert seen[0].id == row.pk and seen[0].data["id"] == row.pk and "Live" in seen[0].data["title"]
    assert seen[1].data == {"unread_count": 1}
    assert events(heard_by_bob) == []


def test_read_and_archive_are_streamed_with_the_new_count(users: tuple[Any, Any]) -> None:
    alice, _bob = users
    Article.objects.create(title="One")
    Article.objects.create(title="Two")
    first, second = Notification.objects.filter(recipient=alice).order_by("pk")

    async def scenario() -> list[Message]:
        stream = await open_stream(alice)
        await read_until(stream, has("count"))
        await sync_to_async(Notification.objects.filter(pk=first.pk).mark_as_read)(alice)
        seen = await read_until(stream, has("count"))
        await sync_to_async(Notification.objects.filter(pk=second.pk).archive)(alice)
        return seen + await read_until(stream, has("count"))

    seen = async_to_sync(scenario)()
    assert events(seen) == ["read", "count", "archived", "count"]
    assert seen[0].data["unread_count"] == 1 and seen[2].data["unread_count"] == 0
    assert all(m.id == second.pk for m in seen)  # the cursor: the newest notification sent


def test_resuming_with_last_event_id_replays_what_was_missed(users: tuple[Any, Any]) -> None:
    alice, _bob = users
    for title in ("Seen", "Missed 1", "Missed 2"):
        Article.objects.create(title=title)
    seen_row, *missed = Notification.objects.filter(recipient=alice).order_by("pk")

    async def scenario() -> list[Message]:
        stream = await open_stream(alice, **{"Last-Event-ID": str(seen_row.pk)})
        return await read_until(stream, has("count"))

    replayed = async_to_sync(scenario)()
    assert events(replayed) == ["notification", "notification", "count"]
    assert [m.id for m in replayed[:2]] == [row.pk for row in missed]
    assert replayed[-1].data == {"unread_count": 3} and replayed[-1].id == missed[-1].pk


def test_a_replay_is_bounded_and_says_so(users: tuple[Any, Any], settings: Any) -> None:
    alice, _bob = users
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "REALTIME_REPLAY_LIMIT": 2}
    for i in range(4):
        Article.objects.create(title=f"A{i}")
    rows = list(Notification.objects.filter(recipient=alice).order_by("pk"))

    async def scenario() -> list[Message]:
        stream = await open_stream(alice, **{"Last-Event-ID": "0"})
        return await read_until(stream, has("count"))

    replayed = async_to_sync(scenario)()
    assert events(replayed) == ["notification", "notification", "reset", "count"]
    assert [m.id for m in replayed[:2]] == [rows[2].pk, rows[3].pk]  # the newest ones


def test_a_rolled_back_write_publishes_nothing(users: tuple[Any, Any]) -> None:
    alice, _bob = users
    broker = current_broker()
    assert isinstance(broker, ProcessBroker)

    async def scenario() -> list[str]:
        heard: list[str] = []
        listening = asyncio.Event()
        payloads = broker.listen(listening.set)

        async def listen() -> None:
            async for payload in payloads:
                heard.append(payload)

        task = asyncio.ensure_future(listen())
        await listening.wait()

        def writes() -> None:
            with pytest.raises(RuntimeError), transaction.atomic():
                publish_inbox_change([alice.pk], change={"unread": False})
                raise RuntimeError("rolled back")
            with transaction.atomic():
                publish_inbox_change([alice.pk], change={"archived": True})
                assert heard == []  # nothing before the commit

        await sync_to_async(writes)()
        await asyncio.sleep(0.1)
        task.cancel()
        return heard

    heard = async_to_sync(scenario)()
    assert heard == [f'{{"k":"archived","u":[{alice.pk}]}}']


def test_anonymous_gets_401_and_wsgi_gets_204_and_polls(users: tuple[Any, Any]) -> None:
    alice, _bob = users
    assert Client().get(STREAM).status_code == 401
    client = Client()
    client.force_login(alice)
    # Under WSGI the stream cannot hold a connection: 204 tells EventSource to stop; pages poll.
    assert client.get(STREAM).status_code == 204
    page = client.get("/inbox/").content.decode()
    assert "data-signal-notifier-badge" in page and "data-stream" not in page


def test_under_asgi_the_page_offers_the_stream(users: tuple[Any, Any], settings: Any) -> None:
    alice, _bob = users

    async def page() -> str:
        client = AsyncClient()
        await sync_to_async(client.force_login)(alice)
        return (await client.get("/inbox/")).content.decode()

    assert f'data-stream="{STREAM}"' in async_to_sync(page)()
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "REALTIME_BROKER": None}
    assert "data-stream" not in async_to_sync(page)()  # no pub/sub (SQLite without Redis): poll


def test_the_streamed_count_is_the_badges_count_with_groups_snoozes_and_expiry(users: tuple[Any, Any]) -> None:
    alice, _bob = users
    for actor in ("bob", "carol", "dave"):
        notify("liked", recipients=[alice], subject=f"{actor} liked your photo", group_key="photo-7")
    for title in ("Alone 1", "Alone 2", "Snoozed", "Expired"):
        notify("pinged", recipients=[alice], subject=title)
    Notification.objects.filter(recipient=alice, title="Snoozed").snooze(timezone.now() + timedelta(days=1))
    Notification.objects.filter(recipient=alice, title="Expired").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    def badge() -> int:
        client = Client()
        client.force_login(alice)
        return int(client.get("/inbox/api/unread-count/").json()["unread_count"])

    assert badge() == 3  # the group, "Alone 1" and "Alone 2"

    async def scenario() -> tuple[list[Message], list[Message]]:
        stream = await open_stream(alice, **{"Last-Event-ID": "0"})
        replayed = await read_until(stream, has("count"))
        await sync_to_async(notify)("liked", recipients=[alice], subject="erin liked your photo", group_key="photo-7")
        return replayed, await read_until(stream, has("count"))

    replayed, heard = async_to_sync(scenario)()
    titles = [m.data["title"] for m in replayed if m.event == "notification"]
    assert "Snoozed" not in titles and "Expired" not in titles and len(titles) == 5
    assert replayed[-1].data == {"unread_count": badge()} == {"unread_count": 3}
    assert events(heard) == ["notification", "count"]
    assert heard[-1].data == {"unread_count": badge()} == {"unread_count": 3}  # erin joined the group
