"""Unsubscribe tokens cannot be forged, altered, borrowed from another purpose or replayed across users."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse

from django_signal_notifier.delivery.unsubscribe import SALT, make_token
from django_signal_notifier.models import Preference
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
CHANNEL = "EmailMessenger"


@pytest.fixture
def people() -> dict[str, Any]:
    User = get_user_model()
    alice = User.objects.create_user("alice", "a@example.org", "pw")
    bob = User.objects.create_user("bob", "b@example.org", "pw")
    first = subscribe("post_save", Article, users=[alice, bob], messenger=CHANNEL)
    second = subscribe("post_save", Article, users=[alice, bob], messenger=CHANNEL)
    return {"alice": alice, "bob": bob, "first": first, "second": second}


def one_click(client: Client, token: str) -> Any:
    url = reverse("django_signal_notifier_preferences:unsubscribe", args=[token])
    return client.post(url, {"List-Unsubscribe": "One-Click"})


def opted_out() -> set[tuple[Any, ...]]:
    return set(Preference.objects.filter(enabled=False).values_list("user_id", "subscription_id", "channel"))


def forgeries(alice: Any, bob: Any, subscription: Any) -> list[str]:
    genuine = make_token(alice.pk, subscription.pk, CHANNEL)
    payload = {"u": str(bob.pk), "s": subscription.pk, "c": CHANNEL}
    value, _, signature = genuine.rpartition(":")
    return [
        signing.dumps(payload, salt=SALT, key="a guessed secret key", compress=False),  # wrong key
        signing.dumps(payload, compress=False),  # right key, no salt: another purpose's signature
        signing.dumps(payload, salt="django.contrib.auth", compress=False),
        signing.dumps(payload, salt=SALT, compress=False).rpartition(":")[0] + ":" + signature,  # swapped payload
        genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),  # one character altered
        genuine + "x",
        "",
        "not-a-token",
    ]


def test_forged_and_altered_tokens_change_nothing(people):
    client = Client()
    for token in forgeries(people["alice"], people["bob"], people["first"]):
        if not token:
            continue
        assert one_click(client, token).status_code in (400, 404)
    assert opted_out() == set()


def test_a_token_acts_only_on_its_user_and_subscription(people):
    alice, first = people["alice"], people["first"]
    assert one_click(Client(), make_token(alice.pk, first.pk, CHANNEL)).status_code == 200
    assert opted_out() == {(alice.pk, first.pk, CHANNEL)}  # not bob, not the second subscription


def test_a_forwarded_token_is_refused_from_another_account(people):
    alice, bob, first = people["alice"], people["bob"], people["first"]
    client = Client()
    client.force_login(bob)
    response = one_click(client, make_token(alice.pk, first.pk, CHANNEL))
    assert response.status_code == 403
    assert opted_out() == set()


def test_replaying_a_token_is_harmless_and_never_spreads(people):
    alice, first = people["alice"], people["first"]
    token = make_token(alice.pk, first.pk, CHANNEL)
    for _ in range(3):
        assert one_click(Client(), token).status_code == 200
    assert opted_out() == {(alice.pk, first.pk, CHANNEL)}
    assert Preference.objects.count() == 1


def test_get_never_unsubscribes(people):
    alice, first = people["alice"], people["first"]
    url = reverse("django_signal_notifier_preferences:unsubscribe", args=[make_token(alice.pk, first.pk, CHANNEL)])
    assert Client().get(url).status_code == 200
    assert opted_out() == set()


def test_the_preferences_page_needs_login_and_csrf(people):
    url = reverse("django_signal_notifier_preferences:preferences")
    assert Client().post(url, {}).status_code in (302, 401, 403)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["alice"])
    assert client.post(url, {}).status_code == 403
    assert Preference.objects.count() == 0
