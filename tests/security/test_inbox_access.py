"""The inbox endpoints: a user never sees or changes another user's notifications; writes need POST and CSRF."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from django_signal_notifier.models import Notification
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
WRITES = ("read", "unread", "archive", "unarchive")


@pytest.fixture
def inboxes(django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    User = get_user_model()
    alice = User.objects.create_user("alice", "alice@example.org", "pw")
    bob = User.objects.create_user("bob", "bob@example.org", "pw")
    subscribe("post_save", Article, users=[alice], messenger="InSiteMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="alice's secret plan")
        Article.objects.create(title="alice's second secret")
    subscribe("post_save", Article, users=[bob], messenger="InSiteMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="for both")
    return {"alice": alice, "bob": bob}


def client_for(user: Any, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def snapshot(user: Any) -> list[tuple[Any, ...]]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("pk", "unread", "archived"))


def test_lists_counts_and_pages_show_only_ones_own(inboxes):
    bob = client_for(inboxes["bob"])
    body = json.loads(bob.get("/inbox/api/notifications/?show=all&page_size=100").content)
    own = set(Notification.objects.filter(recipient=inboxes["bob"]).values_list("pk", flat=True))
    assert {n["id"] for n in body["results"]} == own and len(own) == 1
    assert body["count"] == 1 and body["unread_count"] == 1
    assert json.loads(bob.get("/inbox/api/unread-count/").content) == {"unread_count": 1}
    page = bob.get("/inbox/?show=all").content.decode()
    assert "secret" not in page


@pytest.mark.parametrize("action", WRITES)
def test_another_users_notification_cannot_be_changed(inboxes, action):
    bob = client_for(inboxes["bob"])
    before = snapshot(inboxes["alice"])
    for pk, _unread, _archived in before:
        response = bob.post(f"/inbox/api/notifications/{pk}/{action}/")
        assert response.status_code == 404  # the same answer as for an id that does not exist
    assert snapshot(inboxes["alice"]) == before


def test_mark_all_read_touches_only_ones_own(inboxes):
    before = snapshot(inboxes["alice"])
    assert client_for(inboxes["bob"]).post("/inbox/api/notifications/read-all/").status_code == 200
    assert snapshot(inboxes["alice"]) == before
    assert not Notification.objects.filter(recipient=inboxes["bob"], unread=True).exists()


@pytest.mark.parametrize("action", [*WRITES, "read-all"])
def test_writes_need_post(inboxes, action):
    pk = Notification.objects.filter(recipient=inboxes["alice"]).first().pk
    url = "/inbox/api/notifications/read-all/" if action == "read-all" else f"/inbox/api/notifications/{pk}/{action}/"
    alice = client_for(inboxes["alice"])
    before = snapshot(inboxes["alice"])
    for method in ("get", "put", "delete", "patch"):
        assert getattr(alice, method)(url).status_code == 405
    assert snapshot(inboxes["alice"]) == before


@pytest.mark.parametrize("action", [*WRITES, "read-all"])
def test_writes_need_a_csrf_token(inboxes, action):
    pk = Notification.objects.filter(recipient=inboxes["alice"]).first().pk
    url = "/inbox/api/notifications/read-all/" if action == "read-all" else f"/inbox/api/notifications/{pk}/{action}/"
    alice = client_for(inboxes["alice"], csrf=True)
    before = snapshot(inboxes["alice"])
    assert alice.post(url).status_code == 403
    assert snapshot(inboxes["alice"]) == before
    alice.get("/inbox/")  # the page sets the CSRF cookie, as a browser would get it
    token = alice.cookies["csrftoken"].value
    assert alice.post(url, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_anonymous_users_get_nothing(inboxes):
    anonymous = Client()
    assert anonymous.get("/inbox/api/notifications/").status_code == 401
    assert anonymous.get("/inbox/api/unread-count/").status_code == 401
    pk = Notification.objects.first().pk
    before = list(Notification.objects.values_list("pk", "unread", "archived"))
    assert anonymous.post(f"/inbox/api/notifications/{pk}/read/").status_code == 401
    assert anonymous.post("/inbox/api/notifications/read-all/").status_code == 401
    assert list(Notification.objects.values_list("pk", "unread", "archived")) == before
    page = anonymous.get("/inbox/")
    assert page.status_code == 302 and "secret" not in page.content.decode()


def test_the_next_parameter_never_redirects_off_site(inboxes):
    pk = Notification.objects.filter(recipient=inboxes["alice"]).first().pk
    alice = client_for(inboxes["alice"])
    for evil in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = alice.post(f"/inbox/api/notifications/{pk}/read/", {"next": evil})
        assert "evil.example" not in response.get("Location", "")
        assert "javascript:" not in response.get("Location", "")
