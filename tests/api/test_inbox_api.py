"""The inbox API (v1): filters, cursor pagination, counts, bulk actions by ids, one user's rows only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.models import Notification
from tests.api.conftest import API, token_client
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["results"]]


def _state(user: Any) -> list[tuple[int, bool, bool]]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("pk", "unread", "archived"))


def test_the_list_is_newest_first_in_cursor_pages_that_cover_every_row_once(alice: Any, bob: Any) -> None:
    rows = make_notifications(alice, 25)
    make_notifications(bob, 3)
    client = token_client(alice)

    first = client.get(f"{API}/notifications/", {"limit": 10}).json()
    assert _ids(first) == [r.pk for r in reversed(rows)][:10]
    assert first["unread_count"] == 25
    assert first["results"][0]["title"] == "alice created article “Article 24”"
    assert first["results"][0]["action_object"]["url"] == f"/articles/{rows[-1].action_object_id}/"
    assert first["next"] == f"{API}/notifications/?limit=10&cursor={first['next_cursor']}"

    seen = _ids(first)
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += _ids(page)
    assert seen == [r.pk for r in reversed(rows)]
    assert page["next_cursor"] is None


def test_rows_written_between_two_pages_do_not_shift_the_next_page(alice: Any) -> None:
    rows = make_notifications(alice, 6)
    client = token_client(alice)
    first = client.get(f"{API}/notifications/", {"limit": 3}).json()

    for n in range(4):  # newer than every row listed so far
        Notification.objects.create(recipient=alice, verb="post_save", title=f"new {n}")

    second = client.get(f"{API}/notifications/", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert _ids(second) == [r.pk for r in reversed(rows)][3:6]  # no row repeated, none skipped


def test_rows_sharing_a_timestamp_are_ordered_by_id_across_pages(alice: Any) -> None:
    rows = make_notifications(alice, 5)
    Notification.objects.filter(recipient=alice).update(created_at=rows[0].created_at)
    client = token_client(alice)
    first = client.get(f"{API}/notifications/", {"limit": 2}).json()
    rest = client.get(f"{API}/notifications/", {"limit": 10, "cursor": first["next_cursor"]}).json()
    assert _ids(first) + _ids(rest) == sorted((r.pk for r in rows), reverse=True)


def test_filters_unread_archived_verb_and_since(alice: Any) -> None:
    rows = make_notifications(alice, 6)
    Notification.objects.filter(pk=rows[0].pk).archive(alice)
    Notification.objects.filter(pk__in=[rows[1].pk, rows[2].pk]).mark_as_read(alice)
    Notification.objects.filter(pk=rows[3].pk).update(verb="commented")
    client = token_client(alice)

    def listed(**query: Any) -> set[int]:
        response = client.get(f"{API}/notifications/", query)
        assert response.status_code == 200, response.content
        return set(_ids(response.json()))

    everyone_active = {r.pk for r in rows[1:]}
    assert listed() == everyone_active
    assert listed(archived="true") == {rows[0].pk}
    assert listed(unread="false") == {rows[1].pk, rows[2].pk}
    assert listed(unread="true") == {rows[3].pk, rows[4].pk, rows[5].pk}
    assert listed(verb="commented") == {rows[3].pk}
    assert listed(verb=["commented", "post_save"]) == everyone_active
    assert listed(since=rows[3].created_at.isoformat()) == {rows[4].pk, rows[5].pk}
    assert listed(since=(rows[3].created_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")) >= {rows[3].pk}
    assert listed(unread="true", verb="post_save", since=rows[3].created_at.isoformat()) == {rows[4].pk, rows[5].pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"unread": "yes"}, "unread"),
        ({"archived": "1"}, "archived"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-13-01T00:00:00Z"}, "since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"verb": "a\x00b"}, "verb"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(alice: Any, query: dict[str, str], field: str) -> None:
    response = token_client(alice).get(f"{API}/notifications/", query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_page_costs_a_constant_number_of_queries(alice: Any) -> None:
    client = token_client(alice)
    make_notifications(alice, 5)
    client.get(f"{API}/notifications/")  # the token's last-used stamp and cached count are written once
    with CaptureQueriesContext(connection) as small:
        client.get(f"{API}/notifications/", {"limit": 5})
    make_notifications(alice, 50)
    with CaptureQueriesContext(connection) as large:
        client.get(f"{API}/notifications/", {"limit": 50})
    assert len(large) == len(small) <= 6


def test_one_notification_and_someone_elses_is_a_404(alice: Any, bob: Any) -> None:
    mine = make_notifications(alice, 1)[0]
    theirs = make_notifications(bob, 1)[0]
    client = token_client(alice)
    assert client.get(f"{API}/notifications/{mine.pk}/").json()["id"] == mine.pk
    for missing in (theirs.pk, 10**30, "abc"):
        response = client.get(f"{API}/notifications/{missing}/")
        assert response.status_code == 404
        assert response.json() == {"error": "No such notification."}


def test_counts(alice: Any, bob: Any) -> None:
    rows = make_notifications(alice, 4)
    make_notifications(bob, 2)
    Notification.objects.filter(pk=rows[0].pk).archive(alice)
    Notification.objects.filter(pk=rows[1].pk).mark_as_read(alice)
    assert token_client(alice).get(f"{API}/notifications/counts/").json() == {
        "unread": 2,
        "unseen": 2,
        "active": 3,
        "snoozed": 0,
        "archived": 1,
        "total": 4,
    }


def test_bulk_actions_change_the_users_rows_and_ignore_anyone_elses(alice: Any, bob: Any) -> None:
    mine = [r.pk for r in make_notifications(alice, 4)]
    theirs = [r.pk for r in make_notifications(bob, 2)]
    bobs_before = _state(bob)
    client = token_client(alice)

    def post(action: str, ids: list[Any]) -> dict[str, Any]:
        response = client.post(f"{API}/notifications/{action}/", {"ids": ids}, content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()

    read = post("read", [mine[0], mine[1], theirs[0], 10**12])
    assert read == {"changed": 2, "ids": [mine[0], mine[1]], "unknown_ids": [theirs[0], 10**12], "unread_count": 2}
    assert post("read", [mine[0]])["changed"] == 0  # already read
    assert post("unread", [mine[0], theirs[1]])["changed"] == 1
    assert post("archive", [mine[2], mine[3], theirs[0]]) == {
        "changed": 2,
        "ids": [mine[2], mine[3]],
        "unknown_ids": [theirs[0]],
        "unread_count": 1,
    }
    assert post("unarchive", [mine[3]])["changed"] == 1
    assert post("read", [float(mine[3])])["ids"] == [mine[3]]  # 7.0 is an integer in JSON Schema
    assert _state(alice) == [
        (mine[0], True, False),
        (mine[1], False, False),
        (mine[2], True, True),
        (mine[3], False, False),
    ]
    assert _state(bob) == bobs_before


def test_read_all_marks_only_the_users_rows(alice: Any, bob: Any) -> None:
    make_notifications(alice, 3)
    make_notifications(bob, 2)
    response = token_client(alice).post(f"{API}/notifications/read-all/")
    assert response.json() == {"changed": 3, "unread_count": 0}
    assert Notification.objects.filter(recipient=bob, unread=True).count() == 2


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": []}, {"ids": [0]}, {"ids": ["1"]}, {"ids": [True]}, {"ids": [1.5]}, {"ids": [2**63]}, [1, 2]],
)
def test_bad_bulk_bodies_are_a_400(alice: Any, body: Any) -> None:
    make_notifications(alice, 1)
    response = token_client(alice).post(f"{API}/notifications/read/", body, content_type="application/json")
    assert response.status_code == 400
    assert Notification.objects.filter(unread=False).count() == 0


def test_a_body_that_is_not_json_is_a_400(alice: Any) -> None:
    response = token_client(alice).post(f"{API}/notifications/read/", "ids=1", content_type="text/plain")
    assert response.status_code == 400
    assert "body" in response.json()["fields"]


def test_the_old_endpoints_still_answer(alice: Any) -> None:
    make_notifications(alice, 2)
    client = token_client(alice)
    client.force_login(alice)
    assert client.get("/inbox/api/notifications/").json()["count"] == 2
    assert client.get("/inbox/api/unread-count/").json() == {"unread_count": 2}


@pytest.mark.parametrize(
    "since",
    [
        "2020-01-01t00:00:00z",  # RFC 3339 allows lowercase
        "2016-12-31T23:59:60Z",  # and a leap second
        "2020-01-01T00:00:00.123456789+05:30",  # and any number of fractional digits
        "0001-01-01T00:00:00+14:00",  # before year 1 once in UTC: everything
    ],
)
def test_every_rfc_3339_moment_is_accepted(alice: Any, since: str) -> None:
    make_notifications(alice, 2)
    response = token_client(alice).get(f"{API}/notifications/", {"since": since})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == 2


def test_a_moment_past_the_calendar_lists_nothing(alice: Any) -> None:
    make_notifications(alice, 2)
    response = token_client(alice).get(f"{API}/notifications/", {"since": "9999-12-31T23:59:59-14:00"})
    assert response.status_code == 200 and response.json()["results"] == []
