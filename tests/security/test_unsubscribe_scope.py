"""Unsubscribe links are scoped to what the message was about, absent from mandatory messages, and expire.

Issue 17: an explicit send's link (no subscription in it) created a channel-wide opt-out with one
anonymous POST, which then muted an unrelated subscription; mandatory sends, admin test sends and
messages of a deleted subscription carried such links; links never expired, and an old link
muted the user again after they had opted back in.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from django_signal_notifier import notify
from django_signal_notifier.admin.previews import send_test
from django_signal_notifier.delivery.unsubscribe import SALT, delivery_unsubscribe_url, make_token, read_token
from django_signal_notifier.models import Delivery, DeliveryStatus, Preference
from django_signal_notifier.preferences import set_preference
from django_signal_notifier.preferences.pages.table import build_rows, save_choices, user_subscriptions
from django_signal_notifier.preferences.rules import user_rules
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
SITE = {"CONFIG_CHECK_INTERVAL": 0.2, "SITE_URL": "https://example.test/"}
CHANNEL = "EmailRecordingMessenger"


def token_of(message: Any) -> str:
    link = message.headers["List-Unsubscribe"]
    return link[1:-1].rstrip("/").rsplit("/", 1)[-1]


def one_click(token: str, client: Client | None = None) -> Any:
    url = reverse("django_signal_notifier_preferences:unsubscribe", args=[token])
    return (client or Client()).post(url, {"List-Unsubscribe": "One-Click"})


def send_from_code(capture: Any, user: Any, verb: str = "invoice_ready", **kwargs: Any) -> None:
    with capture(execute=True):
        notify(verb, recipients=[user], channels=[CHANNEL], subject="Hi", text="Body", **kwargs)


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_an_explicit_sends_link_mutes_only_its_verb_never_an_unrelated_subscription(
    django_capture_on_commit_callbacks, sent
):
    ana = make_user("ana")
    configure([ana])
    send_from_code(django_capture_on_commit_callbacks, ana)
    token = read_token(token_of(sent[-1]))
    assert token is not None and token.subscription_id is None and token.verb == "invoice_ready"

    assert one_click(token_of(sent[-1])).status_code == 200
    assert set(Preference.objects.values_list("subscription_id", "verb", "channel", "enabled")) == {
        (None, "invoice_ready", CHANNEL, False)
    }
    sent.clear()
    save_article(django_capture_on_commit_callbacks)  # the unrelated subscription still reaches ana
    send_from_code(django_capture_on_commit_callbacks, ana, verb="password_changed")  # another verb too
    send_from_code(django_capture_on_commit_callbacks, ana)  # the verb she left is skipped
    assert [m.subject for m in sent].count("Hi") == 1 and len(sent) == 2
    assert Delivery.objects.filter(status=DeliveryStatus.SKIPPED, reason="opted out").count() == 1


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_mandatory_sends_and_admin_test_sends_carry_no_unsubscribe_link(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    send_from_code(django_capture_on_commit_callbacks, ana, mandatory=True)
    subscription = configure([ana], mandatory=True)
    save_article(django_capture_on_commit_callbacks)
    article = Article.objects.get()
    backend = subscription.backends.get()
    with django_capture_on_commit_callbacks(execute=True):
        send_test(backend, subscription.trigger, article, ana)
    assert len(sent) == 3
    for message in sent:
        assert "List-Unsubscribe" not in message.headers
        assert message.unsubscribe_url == ""


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_a_deleted_subscriptions_messages_carry_no_link(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    subscription = configure([ana], digest_seconds=3600)  # held: sent after the subscription is gone
    save_article(django_capture_on_commit_callbacks)
    subscription.delete()
    delivery = Delivery.objects.get()
    assert delivery.subscription_id is None

    assert delivery_unsubscribe_url(delivery, ana) is None


def test_a_token_without_a_subscription_or_verb_is_never_made_nor_honoured():
    ana = make_user("ana")
    with pytest.raises(ValueError):
        make_token(ana.pk, None, CHANNEL)
    response = one_click(_unscoped_token(ana.pk))
    assert response.status_code == 400
    assert not Preference.objects.exists()


def _unscoped_token(user_id: Any) -> str:
    payload = {"u": str(user_id), "s": None, "v": "", "c": CHANNEL, "t": int(time.time() * 1000)}
    return signing.dumps(payload, salt=SALT, compress=False)


@override_settings(SIGNAL_NOTIFIER={**SITE, "UNSUBSCRIBE_TOKEN_MAX_AGE": 3600})
def test_an_expired_token_changes_nothing_and_points_to_the_preferences_page():
    ana = make_user("ana")
    subscription = configure([ana])
    old = make_token(ana.pk, subscription.pk, CHANNEL, issued_at=time.time() - 3601)
    response = one_click(old)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert reverse("django_signal_notifier_preferences:preferences").encode() in response.content
    assert not Preference.objects.exists()
    assert one_click(make_token(ana.pk, subscription.pk, CHANNEL, issued_at=time.time() - 3000)).status_code == 200


def test_an_old_link_cannot_undo_a_newer_choice():
    ana = make_user("ana")
    subscription = configure([ana])
    old_link = make_token(ana.pk, subscription.pk, CHANNEL, issued_at=time.time() - 60)
    set_preference(ana.pk, subscription.pk, CHANNEL, False)  # she opts out on the page...
    _opt_back_in(ana)  # ...then back in, on the preferences page
    assert not Preference.objects.filter(enabled=False).exists()

    response = one_click(old_link)
    assert response.status_code == 409
    assert not Preference.objects.filter(enabled=False).exists()  # still receiving
    # A link from a message sent after her choice works.
    assert one_click(make_token(ana.pk, subscription.pk, CHANNEL)).status_code == 200
    assert Preference.objects.filter(enabled=False).count() == 1


def _opt_back_in(user: Any) -> None:
    rules = user_rules(user)
    rows = build_rows(user_subscriptions(user), rules)
    save_choices(user.pk, rows, rules, lambda cell: True)


def test_a_preference_names_a_subscription_or_a_verb_not_both():
    ana = make_user("ana")
    subscription = configure([ana])
    with pytest.raises(ValidationError) as raised:
        Preference(user=ana, subscription=subscription, verb="invoice_ready", channel=CHANNEL).full_clean()
    assert "verb" in raised.value.message_dict
    Preference(user=ana, verb="invoice_ready", channel=CHANNEL, enabled=False).full_clean()
