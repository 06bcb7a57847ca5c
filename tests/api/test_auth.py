"""API authentication: Bearer tokens (hashed at rest, expiring, revocable) and the session with CSRF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from django_signal_notifier.models import ApiToken, Notification
from django_signal_notifier.models.api_token import hash_token
from tests.api.conftest import API
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db
COUNTS = f"{API}/notifications/counts/"


def _bearer(raw: str, **kwargs: Any) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"}, **kwargs)


def test_without_credentials_every_operation_is_a_401_in_json() -> None:
    client = Client()
    for method, path in [
        ("get", f"{API}/notifications/"),
        ("get", f"{API}/notifications/1/"),
        ("get", COUNTS),
        ("post", f"{API}/notifications/read/"),
        ("post", f"{API}/notifications/read-all/"),
        ("get", f"{API}/preferences/"),
        ("patch", f"{API}/preferences/"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, path
        assert response.json() == {"error": "Authentication required."}
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_openapi_document_needs_no_credentials() -> None:
    assert Client().get(f"{API}/openapi.json").status_code == 200


def test_a_token_authenticates_as_its_user_and_is_stored_only_as_a_hash(alice: Any) -> None:
    make_notifications(alice, 2)
    token, raw = ApiToken.objects.issue(alice, name="phone")
    assert raw.startswith("dsn_") and len(raw) > 40
    stored = ApiToken.objects.values_list("prefix", "key_hash").get()
    assert raw not in stored and stored == (raw[:12], hash_token(raw))
    assert token.last_used_at is None

    assert _bearer(raw).get(COUNTS).json()["unread"] == 2
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(alice: Any, django_assert_num_queries: Any) -> None:
    _token, raw = ApiToken.objects.issue(alice)
    client = _bearer(raw)
    client.get(COUNTS)
    with django_assert_num_queries(2):  # the token with its user, the counts: no UPDATE
        client.get(COUNTS)


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "bearer dsn_wrong"])
def test_a_wrong_bearer_token_is_a_401_even_with_a_session(alice: Any, header: str) -> None:
    client = Client(headers={"Authorization": header})
    client.force_login(alice)
    response = client.get(COUNTS)
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid, expired or revoked token."}


@pytest.mark.parametrize("header", ["Basic YWxpY2U6cHc=", "Token abc"])
def test_other_authorization_schemes_leave_the_session_in_charge(alice: Any, header: str) -> None:
    """A staging site behind HTTP basic auth: the browser sends Basic credentials on every request."""
    client = Client(headers={"Authorization": header})
    assert client.get(COUNTS).status_code == 401
    client.force_login(alice)
    assert client.get(COUNTS).status_code == 200


def test_expired_revoked_and_inactive_users_tokens_are_refused(alice: Any, bob: Any) -> None:
    expired = ApiToken.objects.issue(alice, expires_at=timezone.now() - timedelta(seconds=1))[1]
    assert _bearer(expired).get(COUNTS).status_code == 401
    live = ApiToken.objects.issue(alice, expires_at=timezone.now() + timedelta(days=1))[1]
    assert _bearer(live).get(COUNTS).status_code == 200

    revoked_row, revoked = ApiToken.objects.issue(alice)
    revoked_row.delete()
    assert _bearer(revoked).get(COUNTS).status_code == 401

    bobs = ApiToken.objects.issue(bob)[1]
    bob.is_active = False
    bob.save()
    assert _bearer(bobs).get(COUNTS).status_code == 401


def test_a_deleted_users_tokens_go_with_them(alice: Any) -> None:
    ApiToken.objects.issue(alice)
    alice.delete()
    assert not ApiToken.objects.exists()


def test_token_writes_need_no_csrf_token(alice: Any) -> None:
    rows = make_notifications(alice, 1)
    raw = ApiToken.objects.issue(alice)[1]
    client = _bearer(raw, enforce_csrf_checks=True)
    response = client.post(f"{API}/notifications/read/", {"ids": [rows[0].pk]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["changed"] == 1


def test_session_reads_work_and_session_writes_need_the_csrf_token(alice: Any) -> None:
    rows = make_notifications(alice, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(COUNTS).json()["unread"] == 1

    body = {"ids": [rows[0].pk]}
    refused = client.post(f"{API}/notifications/read/", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"].startswith("CSRF check failed")
    assert Notification.objects.get().unread is True

    client.get("/inbox/")  # the page sets the CSRF cookie, as any page with a form does
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{API}/notifications/read/", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 200 and accepted.json()["changed"] == 1


def test_the_document_is_served_with_the_mount_point_as_its_server(alice: Any) -> None:
    document = Client().get(f"{API}/openapi.json").json()
    assert document["servers"] == [{"url": "http://testserver/inbox/api/v1"}]
    assert document["components"]["securitySchemes"]["sessionCookie"]["name"] == "sessionid"
