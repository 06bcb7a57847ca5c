"""Signed one-click unsubscribe links (RFC 8058): forged, replayed or snooping requests are refused."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from django_signal_notifier.delivery.unsubscribe import make_token, read_token, unsubscribe_url
from django_signal_notifier.models import Delivery, DeliveryStatus, Preference
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401

SITE = {"CONFIG_CHECK_INTERVAL": 0.2, "SITE_URL": "https://example.test/"}
CHANNEL = "EmailRecordingMessenger"


def url(token: str) -> str:
    return reverse("django_signal_notifier_preferences:unsubscribe", args=[token])


def one_click(client: Client, token: str):
    return client.post(url(token), {"List-Unsubscribe": "One-Click"})


def opted_out(user) -> set:
    return set(Preference.objects.filter(user=user, enabled=False).values_list("subscription_id", "channel"))


@pytest.mark.django_db
@override_settings(SIGNAL_NOTIFIER=SITE)
def test_every_outbound_message_carries_the_one_click_headers(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    subscription = configure([ana])

    save_article(django_capture_on_commit_callbacks)

    headers = sent[0].headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<https://example.test/notifications/unsubscribe/") and link.endswith("/>")
    token = link[1:-1].rsplit("/", 2)[-2]
    found = read_token(token)
    assert found is not None
    assert (found.user_id, found.subscription_id, found.channel) == (str(ana.pk), subscription.pk, CHANNEL)

    # Following the header's link unsubscribes, and the next message is skipped.
    response = one_click(Client(), token)
    assert response.status_code == 200
    save_article(django_capture_on_commit_callbacks, "again")
    assert len(sent) == 1
    assert Delivery.objects.filter(status=DeliveryStatus.SKIPPED, reason="opted out").count() == 1


@pytest.mark.django_db
def test_no_headers_without_site_url(django_capture_on_commit_callbacks, sent):
    configure([make_user("ana")])
    save_article(django_capture_on_commit_callbacks)
    assert sent[0].headers == {}
    assert unsubscribe_url(1, 1, CHANNEL) is None


@pytest.mark.django_db
def test_get_only_asks_for_confirmation_with_a_post_form(client):
    ana = make_user("ana")
    subscription = configure([ana], name="Secret project")
    token = make_token(ana.pk, subscription.pk, CHANNEL)

    response = client.get(url(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post">' in html and 'name="List-Unsubscribe" value="One-Click"' in html
    assert not Preference.objects.exists()  # a link prefetcher unsubscribes nobody


@pytest.mark.django_db
def test_one_click_post_unsubscribes_and_reveals_nothing(client):
    ana = make_user("ana", "ana@private.example")
    subscription = configure([ana], name="Secret project")
    token = make_token(ana.pk, subscription.pk, CHANNEL)

    response = one_click(client, token)  # no CSRF token, no session: as a mail provider does it

    assert response.status_code == 200
    assert opted_out(ana) == {(subscription.pk, CHANNEL)}
    html = response.content.decode()
    assert "You are unsubscribed." in html
    for secret in ("ana", "private.example", "Secret project", CHANNEL):
        assert secret not in html
    # Byte for byte the page anybody else gets: it carries nothing about the user or subscription.
    zed = make_user("zed")
    other = configure([zed], name="Other")
    assert one_click(Client(), make_token(zed.pk, other.pk, "InSiteMessenger")).content == response.content


@pytest.mark.django_db
def test_a_token_of_a_deleted_user_or_subscription_is_answered_without_error(client):
    ana = make_user("ana")
    subscription = configure([ana])
    token = make_token(ana.pk, subscription.pk, CHANNEL)
    subscription.delete()
    assert one_click(client, token).status_code == 200
    ana_id = ana.pk
    ana.delete()
    assert one_click(client, make_token(ana_id, None, CHANNEL, verb="invoice_ready")).status_code == 200
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_a_post_without_the_one_click_body_changes_nothing(client):
    ana = make_user("ana")
    subscription = configure([ana])
    response = client.post(url(make_token(ana.pk, subscription.pk, CHANNEL)), {})
    assert response.status_code == 400
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_a_token_altered_by_one_character_is_refused(client):
    ana = make_user("ana")
    subscription = configure([ana])
    token = make_token(ana.pk, subscription.pk, CHANNEL)

    refused = 0
    for position in range(len(token)):
        for replacement in ("A", "b"):
            if token[position] == replacement:
                continue
            forged = token[:position] + replacement + token[position + 1 :]
            assert read_token(forged) is None, forged
            refused += 1
    assert refused >= len(token)

    response = one_click(client, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_a_token_signed_for_another_purpose_is_refused():
    from django.core import signing

    ana = make_user("ana")
    same_payload = signing.dumps({"u": str(ana.pk), "s": None, "c": CHANNEL}, compress=False)  # no/other salt
    assert read_token(same_payload) is None


@pytest.mark.django_db
def test_a_token_only_ever_affects_the_user_it_names():
    ana, bob = make_user("ana"), make_user("bob")
    subscription = configure([ana, bob])
    anas_token = make_token(ana.pk, subscription.pk, CHANNEL)

    # Bob, signed in, replays Ana's link: refused, and neither account changes.
    as_bob = Client()
    as_bob.force_login(bob)
    assert as_bob.get(url(anas_token)).status_code == 403
    response = one_click(as_bob, anas_token)
    assert response.status_code == 403
    assert opted_out(ana) == set() and opted_out(bob) == set()
    assert "bob" not in response.content.decode() and "ana" not in response.content.decode()

    # Rewriting the user id inside the token breaks the signature.
    import base64
    import json

    payload, rest = anas_token.split(":", 1)
    padded = payload + "=" * (-len(payload) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded))
    data["u"] = str(bob.pk)
    swapped = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    assert one_click(Client(), f"{swapped}:{rest}").status_code == 400
    assert opted_out(bob) == set()

    # Anonymous (a mail provider), the token acts on Ana alone.
    assert one_click(Client(), anas_token).status_code == 200
    assert opted_out(ana) == {(subscription.pk, CHANNEL)}
    assert opted_out(bob) == set()


@pytest.mark.django_db
def test_mandatory_subscription_cannot_be_unsubscribed(client):
    ana = make_user("ana")
    subscription = configure([ana], mandatory=True)
    response = one_click(client, make_token(ana.pk, subscription.pk, CHANNEL))
    assert response.status_code == 409
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_replaying_a_used_token_is_harmless(client):
    ana = make_user("ana")
    subscription = configure([ana])
    token = make_token(ana.pk, subscription.pk, CHANNEL)
    assert one_click(client, token).status_code == 200
    assert one_click(client, token).status_code == 200
    assert Preference.objects.count() == 1


@pytest.mark.parametrize(("value", "ok"), [(None, True), ("https://example.com", True), ("example.com", False)])
def test_site_url_is_checked(value, ok):
    from django_signal_notifier.checks.settings import check_settings

    with override_settings(SIGNAL_NOTIFIER={"SITE_URL": value}):
        ids = [m.id for m in check_settings()]
    assert ("signal_notifier.E003" not in ids) is ok
