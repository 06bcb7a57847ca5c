"""XMessenger against a loopback fake of the X API v2 that checks each request's OAuth 1.0a signature."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from oauthlib.oauth1 import Client as OAuth1Client
from werkzeug import Request, Response

from django_signal_notifier.messengers import XMessenger
from django_signal_notifier.messengers.base import Message
from django_signal_notifier.messengers.x import oauth1_authorization, x_text
from django_signal_notifier.models import DeliveryStatus, Profile

pytestmark = pytest.mark.django_db
KEYS = {
    "X_CONSUMER_KEY": "consumer-key-abc",
    "X_CONSUMER_SECRET": "consumer-secret-xyz",
    "X_ACCESS_TOKEN": "1234-access-token",
    "X_ACCESS_TOKEN_SECRET": "access-secret-789",
}
USERS = {"alice_x": "1001", "bob": "1002"}


def oauth_params(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return {k: unquote(v.strip('"')) for k, v in (item.strip().split("=", 1) for item in header[6:].split(","))}


@dataclass
class FakeX:
    """The three endpoints the messenger uses; every request must carry a valid signature."""

    server: Any
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dm_status: int = 201
    dm_answer: dict[str, Any] = field(
        default_factory=lambda: {"data": {"dm_event_id": "9001", "dm_conversation_id": "1-2"}}
    )
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.server.expect_request("/2/tweets", method="POST").respond_with_handler(self.tweet)
        for handle, user_id in USERS.items():
            self.server.expect_request(f"/2/users/by/username/{handle}", method="GET").respond_with_json(
                {"data": {"id": user_id, "username": handle}}
            )
        self.server.expect_request("/2/users/by/username/ghost", method="GET").respond_with_json(
            {"errors": [{"title": "Not Found Error", "detail": "Could not find user with username: [ghost]."}]}
        )
        for user_id in USERS.values():
            self.server.expect_request(
                f"/2/dm_conversations/with/{user_id}/messages", method="POST"
            ).respond_with_handler(self.dm)

    def verify(self, request: Request) -> None:
        """Sign the same request with oauthlib, with the nonce and timestamp the messenger used: the signatures must match."""
        params = oauth_params(request.headers["Authorization"])
        expected = OAuth1Client(
            KEYS["X_CONSUMER_KEY"],
            KEYS["X_CONSUMER_SECRET"],
            KEYS["X_ACCESS_TOKEN"],
            KEYS["X_ACCESS_TOKEN_SECRET"],
            nonce=params["oauth_nonce"],
            timestamp=params["oauth_timestamp"],
        )
        _uri, headers, _body = expected.sign(request.url, request.method)
        if oauth_params(headers["Authorization"])["oauth_signature"] != params["oauth_signature"]:
            self.errors.append(f"bad signature on {request.method} {request.path}")
        if abs(int(params["oauth_timestamp"]) - time.time()) > 60:
            self.errors.append("stale timestamp")

    def record(self, request: Request) -> Any:
        self.verify(request)
        body = json.loads(request.get_data() or b"null")
        self.requests.append((request.method, request.path, body))
        return body

    def tweet(self, request: Request) -> Response:
        body = self.record(request)
        return Response(
            json.dumps({"data": {"id": "555", "text": body["text"]}}), status=201, content_type="application/json"
        )

    def dm(self, request: Request) -> Response:
        self.record(request)
        return Response(
            json.dumps(self.dm_answer), status=self.dm_status, headers=self.headers, content_type="application/json"
        )


@pytest.fixture
def fake_x(api_server, settings):
    settings.SIGNAL_NOTIFIER = {**KEYS, "X_API_URL": api_server.url_for("/")}
    fake = FakeX(api_server)
    yield fake
    assert fake.errors == []


def test_direct_messages_go_to_each_handle_from_the_profile_or_the_user(fake_x, make_user, subscribe, publish):
    alice, bob, nobody = make_user(), make_user(), make_user()
    Profile.objects.create(user=alice, x_handle="@alice_x")
    Profile.objects.create(user=bob, x_handle="bob")
    subscribe("XMessenger", [alice, bob, nobody])

    deliveries = {d.recipient_id: d for d in publish("Tom & Jerry")}

    assert deliveries[alice.pk].status == DeliveryStatus.SENT
    assert deliveries[alice.pk].sent_to == "@alice_x"
    assert deliveries[alice.pk].provider_message_id == "9001"
    assert deliveries[bob.pk].status == DeliveryStatus.SENT
    assert deliveries[nobody.pk].status == DeliveryStatus.SKIPPED
    assert deliveries[nobody.pk].reason == f"user {nobody.pk} has no X handle"
    dms = [(path, body) for method, path, body in fake_x.requests if path.startswith("/2/dm_conversations")]
    assert sorted(path for path, _ in dms) == [
        "/2/dm_conversations/with/1001/messages",
        "/2/dm_conversations/with/1002/messages",
    ]
    assert all(
        body["text"].startswith("created article “Tom & Jerry”") and "/articles/" in body["text"] for _, body in dms
    )


def test_an_unknown_handle_is_dead_with_xs_reason(fake_x, make_user, subscribe, publish):
    ghost = make_user()
    Profile.objects.create(user=ghost, x_handle="ghost")
    subscribe("XMessenger", [ghost])
    (delivery,) = publish()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error == "X has no account @ghost: Could not find user with username: [ghost]."


def test_a_post_goes_once_for_all_recipients(fake_x, make_user, subscribe, publish):
    users = [make_user() for _ in range(3)]
    subscribe("XMessenger", users, options={"mode": "post"})
    deliveries = publish("Release 2.0")
    assert len(deliveries) == 1  # one place: one delivery per event
    assert deliveries[0].status == DeliveryStatus.SENT
    assert deliveries[0].provider_message_id == "555"
    (tweet,) = [body for method, path, body in fake_x.requests if path == "/2/tweets"]
    assert tweet["text"].startswith("created article “Release 2.0”")


def test_rate_limit_waits_until_xs_reset(fake_x, make_user, subscribe, publish):
    fake_x.dm_status, fake_x.dm_answer = 429, {"title": "Too Many Requests", "detail": "Too Many Requests"}
    fake_x.headers = {"x-rate-limit-reset": str(int(time.time()) + 120)}
    bob = make_user()
    Profile.objects.create(user=bob, x_handle="bob")
    subscribe("XMessenger", [bob])
    (delivery,) = publish()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "X rate limit: Too Many Requests"
    assert 100 < (delivery.next_attempt_at - delivery.updated_at).total_seconds() <= 125


def test_refusals_never_show_the_keys(fake_x, make_user, subscribe, publish):
    fake_x.dm_status = 403
    fake_x.dm_answer = {"detail": f"You cannot send messages to this user ({KEYS['X_ACCESS_TOKEN']})"}
    bob = make_user()
    Profile.objects.create(user=bob, x_handle="bob")
    subscribe("XMessenger", [bob])
    (delivery,) = publish()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error == "X refused (403): You cannot send messages to this user (***)"


def test_an_oauth2_user_token_is_sent_as_bearer(api_server, settings, make_user, subscribe, publish):
    settings.SIGNAL_NOTIFIER = {"X_BEARER_TOKEN": "oauth2-user-token", "X_API_URL": api_server.url_for("/")}
    seen = []

    def tweet(request: Request) -> Response:
        seen.append(request.headers["Authorization"])
        return Response(json.dumps({"data": {"id": "1"}}), status=201, content_type="application/json")

    api_server.expect_request("/2/tweets", method="POST").respond_with_handler(tweet)
    subscribe("XMessenger", [make_user()], options={"mode": "post"})
    assert [d.status for d in publish()] == [DeliveryStatus.SENT]
    assert seen == ["Bearer oauth2-user-token"]


def test_the_signature_matches_xs_documented_example():
    """The worked example of X's 'Creating a signature' page (a form-encoded body is signed too)."""
    header = oauth1_authorization(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        ("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
        ("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"),
        form={"status": "Hello Ladies + Gentlemen, a signed OAuth request!"},
        nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        timestamp="1318622958",
    )
    assert oauth_params(header)["oauth_signature"] == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_a_post_is_cut_to_280_counting_the_link_as_23():
    message = Message(recipient=None, address="", subject="x" * 400, url="https://example.org/" + "a" * 100)
    text = x_text(message, 280)
    words, link = text.split("\n")
    assert len(words) + 1 + 23 == 280
    assert words.endswith("…") and link == message.url


def test_bad_mode_is_refused():
    with pytest.raises(ValidationError, match="'mode' must be 'dm'"):
        XMessenger.validate_options({"mode": "tweet"})
