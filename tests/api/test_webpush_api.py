"""The Web Push subscriptions endpoint: the session with its CSRF token, one row per browser, each user's own."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from django_signal_notifier.api.schema import WEBPUSH_ENDPOINT_MAX_LENGTH
from django_signal_notifier.messengers.webpush import application_server_key, new_private_key
from django_signal_notifier.models import WebPushDevice
from tests.api.conftest import API, token_client
from tests.inbox.conftest import make_notifications
from tests.messengers.push_service import BrowserSubscription

pytestmark = pytest.mark.django_db
URL = f"{API}/push/webpush/"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc:def-123"


PRIVATE_KEY = new_private_key()
VAPID = {"WEBPUSH_VAPID_PRIVATE_KEY": PRIVATE_KEY, "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.org"}


@pytest.fixture(autouse=True)
def web_push_configured(settings):
    settings.SIGNAL_NOTIFIER = dict(VAPID)


def subscription(endpoint=ENDPOINT, **extra):
    browser = BrowserSubscription()
    return {"endpoint": endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}, **extra}


def post(client, body, token="", method="post"):
    headers = {"X-CSRFToken": token} if token else {}
    return getattr(client, method)(URL, json.dumps(body), content_type="application/json", headers=headers)


def test_a_browser_registers_with_the_session_and_its_csrf_token(alice):
    make_notifications(alice, 1)  # the inbox page then has forms, so it sets the CSRF cookie
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert post(client, subscription()).status_code == 403  # no CSRF token
    client.get("/inbox/")
    csrf = client.cookies["csrftoken"].value
    answer = post(client, subscription(user_agent="Firefox 140"), csrf)
    assert answer.status_code == 201
    body = answer.json()
    assert (body["push_service"], body["user_agent"], body["last_used_at"]) == (
        "fcm.googleapis.com",
        "Firefox 140",
        None,
    )
    assert "endpoint" not in body
    device = WebPushDevice.objects.get()
    assert (device.user_id, device.endpoint) == (alice.pk, ENDPOINT)


def test_the_same_endpoint_registered_again_by_its_user_keeps_one_row(alice):
    client = token_client(alice)
    first = post(client, subscription())
    second = post(client, subscription(user_agent="new keys"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_another_users_endpoint_is_a_409_and_changes_nothing(alice, bob):
    post(token_client(alice), subscription(user_agent="Firefox"))
    before = WebPushDevice.objects.values_list("user_id", "p256dh", "auth", "user_agent").get()
    answer = post(token_client(bob), subscription(user_agent="Chrome"))
    assert answer.status_code == 409
    assert answer.json()["fields"] == {"endpoint": "Registered to another user."}
    assert WebPushDevice.objects.values_list("user_id", "p256dh", "auth", "user_agent").get() == before
    assert before[0] == alice.pk


@pytest.mark.parametrize(
    ("endpoint", "problem"),
    [
        ("https://127.0.0.1:22/", "'127.0.0.1' is an IP address"),
        ("https://169.254.169.254/latest/meta-data/", "'169.254.169.254' is an IP address"),
        ("https://10.0.0.1:8443/admin", "'10.0.0.1' is an IP address"),
        ("https://0x7f000001/x", "'0x7f000001' is an IP address"),
        ("https://2130706433/x", "'2130706433' is an IP address"),
        ("https://127.1/x", "'127.1' is an IP address"),
        ("https://internal.example/admin", "'internal.example' is not in SIGNAL_NOTIFIER['WEBPUSH_ALLOWED_HOSTS']"),
        ("https://fcm.googleapis.com.evil.example/x", "is not in SIGNAL_NOTIFIER['WEBPUSH_ALLOWED_HOSTS']"),
        ("https://fcm.googleapis.com:99999/x", "port is not a number from 0 to 65535"),
    ],
)
def test_an_endpoint_the_server_must_not_post_to_is_a_400(alice, endpoint, problem):
    answer = post(token_client(alice), subscription(endpoint))
    assert answer.status_code == 400
    assert problem in answer.json()["fields"]["endpoint"]
    assert not WebPushDevice.objects.exists()


def test_ip_addresses_are_refused_even_when_any_host_is_allowed(alice, settings):
    settings.SIGNAL_NOTIFIER = {**VAPID, "WEBPUSH_ALLOWED_HOSTS": ["*"]}
    assert post(token_client(alice), subscription("https://push.example/x")).status_code == 201
    answer = post(token_client(alice), subscription("https://0x7f000001/x"))
    assert answer.status_code == 400
    assert "is an IP address" in answer.json()["fields"]["endpoint"]


def test_without_vapid_registration_is_a_409(alice, settings):
    settings.SIGNAL_NOTIFIER = {}
    answer = post(token_client(alice), subscription())
    assert answer.status_code == 409
    assert "WEBPUSH_VAPID_PRIVATE_KEY" in answer.json()["error"]
    assert not WebPushDevice.objects.exists()


def test_a_user_past_the_cap_keeps_the_most_recent_browsers(alice, settings):
    settings.SIGNAL_NOTIFIER = {**VAPID, "WEBPUSH_MAX_DEVICES": 2}
    for name in ("one", "two", "three"):
        assert post(token_client(alice), subscription(f"{ENDPOINT}-{name}")).status_code == 201
    endpoints = sorted(WebPushDevice.objects.for_user(alice).values_list("endpoint", flat=True))
    assert endpoints == [f"{ENDPOINT}-three", f"{ENDPOINT}-two"]


def test_the_list_gives_the_vapid_key_and_only_the_users_browsers(alice, bob, settings):
    private_key = PRIVATE_KEY
    settings.SIGNAL_NOTIFIER = {**VAPID, "WEBPUSH_ALLOWED_HOSTS": [".example"]}
    post(token_client(alice), subscription("https://push.example/alice"))
    post(token_client(bob), subscription("https://push.example/bob"))
    body = token_client(alice).get(URL).json()
    assert body["vapid_public_key"] == application_server_key(private_key)
    assert [device["push_service"] for device in body["devices"]] == ["push.example"]
    assert len(body["devices"]) == 1


def test_the_documented_endpoint_length_is_the_columns():
    assert WebPushDevice._meta.get_field("endpoint").max_length == WEBPUSH_ENDPOINT_MAX_LENGTH


def test_without_a_key_the_list_says_web_push_is_off(alice, settings):
    settings.SIGNAL_NOTIFIER = {}
    assert token_client(alice).get(URL).json() == {"vapid_public_key": None, "devices": []}


def test_a_user_removes_only_their_own_browser(alice, bob):
    post(token_client(alice), subscription())
    assert post(token_client(bob), {"endpoint": ENDPOINT}, method="delete").json() == {"removed": 0}
    assert WebPushDevice.objects.count() == 1
    assert post(token_client(alice), {"endpoint": ENDPOINT}, method="delete").json() == {"removed": 1}
    assert not WebPushDevice.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": "http://push.example/x", "keys": {}}, "endpoint"),
        ({"endpoint": ENDPOINT}, "keys"),
        ({"endpoint": ENDPOINT, "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22}}, "keys.p256dh"),
        ({"endpoint": ENDPOINT, "keys": {"p256dh": "short", "auth": "A" * 22}}, "keys.p256dh"),
    ],
)
def test_a_bad_subscription_is_a_400_naming_the_field(alice, body, field):
    answer = post(token_client(alice), body)
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert not WebPushDevice.objects.exists()


def test_a_bad_auth_secret_is_refused(alice):
    body = subscription()
    body["keys"]["auth"] = "too-short"
    assert post(token_client(alice), body).json()["fields"] == {
        "keys.auth": "The subscription's auth secret: 16 bytes in base64url."
    }


def test_anonymous_requests_are_refused():
    assert Client().get(URL).status_code == 401
