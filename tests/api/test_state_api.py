"""The API's seen, snooze and mute operations: each on the user's own rows only, as the document says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from django_signal_notifier.models import Mute, Notification
from tests.api.conftest import API, token_client
from tests.inbox.conftest import make_notifications
from tests.testapp.models import Tag

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json")


def test_notifications_carry_their_state(alice: Any) -> None:
    rows = make_notifications(alice, 1)
    item = token_client(alice).get(f"{API}/notifications/").json()["results"][0]
    tag = Tag.objects.get(pk=rows[0].target_object_id)
    assert {k: item[k] for k in ("seen", "seen_at", "read_at", "snoozed_until", "expires_at")} == {
        "seen": False,
        "seen_at": None,
        "read_at": None,
        "snoozed_until": None,
        "expires_at": None,
    }
    assert item["thread"] == {
        "content_type": ContentType.objects.get_for_model(Tag).pk,
        "id": str(tag.pk),
        "text": tag.name,
        "muted": False,
    }


def test_seen_by_ids_and_seen_all_and_the_seen_filter(alice: Any, bob: Any) -> None:
    mine = [r.pk for r in make_notifications(alice, 3)]
    theirs = make_notifications(bob, 1)[0].pk
    client = token_client(alice)
    answer = post(client, "/notifications/seen/", {"ids": [mine[0], theirs]}).json()
    assert (answer["changed"], answer["ids"], answer["unknown_ids"]) == (1, [mine[0]], [theirs])
    assert Notification.objects.get(pk=theirs).seen_at is None
    unseen = client.get(f"{API}/notifications/?seen=false").json()["results"]
    assert sorted(item["id"] for item in unseen) == sorted(mine[1:])
    assert client.get(f"{API}/notifications/counts/").json()["unseen"] == 2
    assert post(client, "/notifications/seen-all/").json() == {"changed": 2, "unread_count": 3}
    assert client.get(f"{API}/notifications/counts/").json()["unseen"] == 0


def test_snooze_by_seconds_or_until_then_unsnooze(alice: Any, bob: Any) -> None:
    mine = [r.pk for r in make_notifications(alice, 3)]
    theirs = make_notifications(bob, 1)[0].pk
    client = token_client(alice)
    answer = post(client, "/notifications/snooze/", {"ids": [mine[0], theirs], "seconds": 3600}).json()
    assert (answer["changed"], answer["unknown_ids"], answer["unread_count"]) == (1, [theirs], 2)
    until = parse_datetime(answer["snoozed_until"])
    assert until is not None and timedelta(minutes=59) < until - timezone.now() <= timedelta(hours=1)
    assert Notification.objects.get(pk=theirs).snoozed_until is None
    moment = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    post(client, "/notifications/snooze/", {"ids": [mine[1]], "until": moment.isoformat()})
    assert Notification.objects.get(pk=mine[1]).snoozed_until == moment
    listed = client.get(f"{API}/notifications/").json()["results"]
    assert [item["id"] for item in listed] == [mine[2]]
    snoozed = client.get(f"{API}/notifications/?snoozed=true").json()["results"]
    assert sorted(item["id"] for item in snoozed) == mine[:2]
    counts = client.get(f"{API}/notifications/counts/").json()
    assert (counts["active"], counts["snoozed"]) == (1, 2)
    assert post(client, "/notifications/unsnooze/", {"ids": mine[:2]}).json()["changed"] == 2
    assert len(client.get(f"{API}/notifications/").json()["results"]) == 3


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [1]},
        {"ids": [1], "seconds": 60, "until": "2030-01-01T00:00:00Z"},
        {"ids": [1], "seconds": 10},
        {"ids": [1], "seconds": "3600"},
        {"ids": [1], "until": "yesterday"},
        {"ids": [1], "until": "2001-01-01T00:00:00Z"},
        {"ids": [1], "until": None},
    ],
)
def test_a_bad_snooze_is_a_400_naming_the_field(alice: Any, body: dict[str, Any]) -> None:
    make_notifications(alice, 1)
    answer = post(token_client(alice), "/notifications/snooze/", body)
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) & {"body", "seconds", "until"}
    assert not Notification.objects.filter(snoozed_until__isnull=False).exists()


def test_expired_notifications_are_not_listed(alice: Any) -> None:
    rows = make_notifications(alice, 2)
    Notification.objects.filter(pk=rows[0].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = token_client(alice)
    assert [item["id"] for item in client.get(f"{API}/notifications/").json()["results"]] == [rows[1].pk]
    assert client.get(f"{API}/notifications/counts/").json()["total"] == 1


def test_mute_and_follow_a_notifications_thread(alice: Any, bob: Any) -> None:
    row = make_notifications(alice, 1)[0]
    client = token_client(alice)
    answer = post(client, f"/notifications/{row.pk}/mute/").json()
    assert answer["muted"] is True and answer["mute"]["object_id"] == row.target_object_id
    assert client.get(f"{API}/notifications/{row.pk}/").json()["thread"]["muted"] is True
    assert post(client, f"/notifications/{row.pk}/mute/").json()["mute"]["id"] == answer["mute"]["id"]  # idempotent
    assert Mute.objects.count() == 1
    assert post(client, f"/notifications/{row.pk}/follow/").json() == {"id": row.pk, "muted": False, "mute": None}
    assert not Mute.objects.exists()
    assert post(token_client(bob), f"/notifications/{row.pk}/mute/").status_code == 404
    assert not Mute.objects.exists()


def test_mutes_list_create_delete_are_the_users_own(alice: Any, bob: Any) -> None:
    tag = Tag.objects.create(name="Release notes")
    tag_ct = ContentType.objects.get_for_model(Tag).pk
    client = token_client(alice)
    created = post(client, "/mutes/", {"content_type": tag_ct, "object_id": str(tag.pk)}).json()
    assert (created["content_type"], created["object_id"], created["text"]) == (tag_ct, str(tag.pk), str(tag))
    assert [m["id"] for m in client.get(f"{API}/mutes/").json()["results"]] == [created["id"]]
    assert token_client(bob).get(f"{API}/mutes/").json() == {"results": []}
    assert token_client(bob).delete(f"{API}/mutes/{created['id']}/").status_code == 404
    assert client.delete(f"{API}/mutes/{created['id']}/").json() == {"id": created["id"], "deleted": True}
    assert client.delete(f"{API}/mutes/{created['id']}/").status_code == 404
    bad = post(client, "/mutes/", {"content_type": 999_999, "object_id": "1"})
    assert bad.status_code == 400 and "content_type" in bad.json()["fields"]
    assert post(client, "/mutes/", {"content_type": tag_ct, "object_id": ""}).status_code == 400


def test_session_writes_need_the_csrf_token(alice: Any) -> None:
    row = make_notifications(alice, 1)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert post(client, "/notifications/snooze/", {"ids": [row.pk], "seconds": 600}).status_code == 403
    assert post(client, f"/notifications/{row.pk}/mute/").status_code == 403
    assert client.delete(f"{API}/mutes/1/").status_code == 403
