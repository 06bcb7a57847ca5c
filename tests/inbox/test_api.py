"""The JSON endpoints: own notifications only, POST with CSRF for writes, 401 for anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db
NS = "django_signal_notifier_inbox"


def _client(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _state() -> list[tuple[int, bool, bool]]:
    return list(Notification.objects.order_by("pk").values_list("pk", "unread", "archived"))


def test_list_is_paginated_newest_first_with_texts(alice: Any, bob: Any) -> None:
    rows = make_notifications(alice, 25)
    make_notifications(bob, 3)
    client = _client(alice)
    first = client.get(reverse(f"{NS}:list")).json()
    assert first["count"] == 25 and first["num_pages"] == 2 and first["page"] == 1
    assert [item["id"] for item in first["results"]] == [r.pk for r in reversed(rows)][:20]
    item = first["results"][0]
    assert item["title"] == "alice created article “Article 24”"
    assert item["actor"]["text"] == "alice"
    assert item["action_object"]["text"] == "Article 24"
    assert item["action_object"]["url"] == f"/articles/{rows[-1].action_object_id}/"
    assert item["target"]["text"] == "tag for alice"
    assert item["target"]["url"] == ""  # Tag has no get_absolute_url
    assert item["unread"] is True and item["archived"] is False
    assert first["unread_count"] == 25

    second = client.get(reverse(f"{NS}:list"), {"page": 2}).json()
    assert [item["id"] for item in second["results"]] == [r.pk for r in reversed(rows)][20:]
    small = client.get(reverse(f"{NS}:list"), {"page_size": 5, "page": "junk"}).json()
    assert len(small["results"]) == 5 and small["page"] == 1
    capped = client.get(reverse(f"{NS}:list"), {"page_size": 100000}).json()
    assert len(capped["results"]) == 25
    past_the_end = client.get(reverse(f"{NS}:list"), {"page": 99}).json()
    assert past_the_end["page"] == 2


def test_list_filters(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    Notification.objects.filter(pk=rows[0].pk).archive(alice)
    Notification.objects.filter(pk=rows[1].pk).mark_as_read(alice)
    client = _client(alice)

    def ids(show: str) -> set[int]:
        return {item["id"] for item in client.get(reverse(f"{NS}:list"), {"show": show}).json()["results"]}

    assert ids("active") == {rows[1].pk, rows[2].pk}
    assert ids("unread") == {rows[2].pk}
    assert ids("archived") == {rows[0].pk}
    assert ids("all") == {r.pk for r in rows}
    assert ids("bogus") == ids("active")


def test_a_user_never_sees_another_users_notifications(alice: Any, bob: Any) -> None:
    make_notifications(alice, 2)
    bob_rows = make_notifications(bob, 2)
    body = _client(alice).get(reverse(f"{NS}:list"), {"show": "all"}).json()
    assert not {item["id"] for item in body["results"]} & {r.pk for r in bob_rows}
    assert _client(alice).get(reverse(f"{NS}:unread_count")).json() == {"unread_count": 2}


@pytest.mark.parametrize("action", ["mark_read", "mark_unread", "archive", "unarchive"])
def test_another_users_id_is_404_and_changes_nothing(alice: Any, bob: Any, action: str) -> None:
    make_notifications(alice, 1)
    [bob_row] = make_notifications(bob, 1)
    Notification.objects.filter(pk=bob_row.pk).update(unread=action == "mark_read", archived=action == "unarchive")
    before = _state()
    response = _client(alice).post(reverse(f"{NS}:{action}", args=[bob_row.pk]))
    assert response.status_code == 404
    assert response.json() == {"error": "No such notification."}
    assert _state() == before
    # A missing id is a 404 too.
    assert _client(alice).post(reverse(f"{NS}:{action}", args=[10**9])).status_code == 404


def test_mark_all_read_changes_only_the_requesting_user(alice: Any, bob: Any) -> None:
    make_notifications(alice, 3)
    make_notifications(bob, 2)
    response = _client(alice).post(reverse(f"{NS}:mark_all_read"))
    assert response.json() == {"changed": 3, "unread_count": 0}
    assert Notification.objects.unread_count(bob) == 2


def test_mark_read_unread_archive_one(alice: Any) -> None:
    rows = make_notifications(alice, 2)
    client = _client(alice)
    response = client.post(reverse(f"{NS}:mark_read", args=[rows[0].pk]))
    assert response.status_code == 200
    assert response.json() == {"id": rows[0].pk, "changed": True, "unread_count": 1}
    # Idempotent: a second call succeeds and changes nothing.
    assert client.post(reverse(f"{NS}:mark_read", args=[rows[0].pk])).json()["changed"] is False
    assert client.post(reverse(f"{NS}:mark_unread", args=[rows[0].pk])).json()["unread_count"] == 2
    assert client.post(reverse(f"{NS}:archive", args=[rows[1].pk])).json()["unread_count"] == 1
    assert Notification.objects.get(pk=rows[1].pk).archived is True
    assert client.post(reverse(f"{NS}:unarchive", args=[rows[1].pk])).json()["unread_count"] == 2


@pytest.mark.parametrize("action", ["mark_read", "mark_unread", "archive", "unarchive", "mark_all_read"])
def test_writes_need_post_with_csrf(alice: Any, action: str) -> None:
    [row] = make_notifications(alice, 1)
    args = [] if action == "mark_all_read" else [row.pk]
    url = reverse(f"{NS}:{action}", args=args)
    before = _state()
    assert _client(alice).get(url).status_code == 405
    strict = _client(alice, enforce_csrf_checks=True)
    assert strict.post(url).status_code == 403
    assert _state() == before
    # With the token the same request goes through.
    strict.get(reverse(f"{NS}:page"))  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    assert strict.post(url, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_anonymous_gets_401_from_the_api_and_a_login_redirect_from_the_page(alice: Any) -> None:
    [row] = make_notifications(alice, 1)
    client = Client()
    for name in ("list", "unread_count"):
        response = client.get(reverse(f"{NS}:{name}"))
        assert response.status_code == 401
        assert response.json() == {"error": "Authentication required."}
    assert client.post(reverse(f"{NS}:mark_read", args=[row.pk])).status_code == 401
    assert client.post(reverse(f"{NS}:mark_all_read")).status_code == 401
    assert Notification.objects.get(pk=row.pk).unread is True
    page = client.get(reverse(f"{NS}:page"))
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/inbox/")


def test_form_posts_redirect_to_a_safe_next_only(alice: Any) -> None:
    rows = make_notifications(alice, 2)
    client = _client(alice)
    response = client.post(reverse(f"{NS}:mark_read", args=[rows[0].pk]), {"next": "/inbox/?show=all"})
    assert response.status_code == 303
    assert response["Location"] == "/inbox/?show=all"
    evil = client.post(reverse(f"{NS}:mark_read", args=[rows[1].pk]), {"next": "https://evil.example/"})
    assert evil.status_code == 200  # not redirected off-site; answered as JSON
    assert evil.json()["changed"] is True


def test_responses_are_private(alice: Any) -> None:
    response = _client(alice).get(reverse(f"{NS}:list"))
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_unsafe_links_are_not_served(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    Notification.objects.filter(pk=rows[0].pk).update(url="javascript:alert(1)")
    Notification.objects.filter(pk=rows[1].pk).update(url="//evil.example/x")
    Notification.objects.filter(pk=rows[2].pk).update(url="https://example.com/ok")
    client = _client(alice)
    urls = {item["id"]: item["url"] for item in client.get(reverse(f"{NS}:list")).json()["results"]}
    assert urls == {rows[0].pk: "", rows[1].pk: "", rows[2].pk: "https://example.com/ok"}
    html = client.get(reverse(f"{NS}:page")).content.decode()
    assert "javascript:" not in html and "evil.example" not in html
    assert 'href="https://example.com/ok"' in html
