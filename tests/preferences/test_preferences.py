"""Opt-outs per subscription and channel, mandatory subscriptions, and the preferences page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.models import Delivery, DeliveryStatus, Notification, Preference
from django_signal_notifier.preferences.rules import is_enabled, set_preference
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401

PAGE = "django_signal_notifier_preferences:preferences"


def test_most_specific_rule_wins():
    rules = {(None, ""): False, (None, "Email"): True, (7, ""): False, (7, "Email"): True}
    assert is_enabled({}, 7, "Email") is True
    assert is_enabled(rules, 7, "Email") is True  # (sub, channel)
    assert is_enabled(rules, 7, "Sms") is False  # (sub, any)
    assert is_enabled(rules, 8, "Email") is True  # (any, channel)
    assert is_enabled(rules, 8, "Sms") is False  # (any, any)


@pytest.mark.django_db
def test_opted_out_recipient_is_skipped_with_the_reason(django_capture_on_commit_callbacks, sent):
    ana, bob = make_user("ana"), make_user("bob")
    subscription = configure([ana, bob])
    set_preference(ana.pk, subscription.pk, "EmailRecordingMessenger", False)

    save_article(django_capture_on_commit_callbacks)

    assert [m.address for m in sent] == ["bob@example.com"]
    skipped = Delivery.objects.get(recipient=ana)
    assert (skipped.status, skipped.reason) == (DeliveryStatus.SKIPPED, "opted out")
    assert Delivery.objects.get(recipient=bob).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_opt_out_is_per_channel(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    subscription = configure([ana], messengers=["EmailRecordingMessenger", "InSiteMessenger"])
    set_preference(ana.pk, subscription.pk, "InSiteMessenger", False)

    save_article(django_capture_on_commit_callbacks)

    assert len(sent) == 1  # still by the other channel
    assert not Notification.objects.exists()
    # In-site: no inbox row, but the skip is recorded where an admin sees it.
    insite = Delivery.objects.get(channel="InSiteMessenger")
    assert (insite.recipient_id, insite.status, insite.reason) == (ana.pk, DeliveryStatus.SKIPPED, "opted out")


@pytest.mark.django_db
def test_global_opt_out_and_specific_opt_back_in(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    first = configure([ana])
    second = configure([ana])
    set_preference(ana.pk, None, "", False)  # nothing at all …
    set_preference(ana.pk, second.pk, "EmailRecordingMessenger", True)  # … except this

    save_article(django_capture_on_commit_callbacks)

    statuses = dict(Delivery.objects.values_list("subscription_id", "status"))
    assert statuses == {first.pk: DeliveryStatus.SKIPPED, second.pk: DeliveryStatus.SENT}
    assert len(sent) == 1


@pytest.mark.django_db
def test_mandatory_subscription_cannot_be_muted(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    subscription = configure([ana], mandatory=True)
    set_preference(ana.pk, subscription.pk, "EmailRecordingMessenger", False)
    set_preference(ana.pk, None, "", False)

    save_article(django_capture_on_commit_callbacks)

    assert [m.address for m in sent] == ["ana@example.com"]
    assert "List-Unsubscribe" not in sent[0].headers  # nothing to unsubscribe from


@pytest.mark.django_db
@override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 3600})  # no stamp reads mid-measure
def test_preferences_cost_one_query_per_subscription_whatever_the_number_of_recipients(
    django_capture_on_commit_callbacks,
):
    def fan_out_queries(count: int, prefix: str) -> int:
        users = [make_user(f"{prefix}{i}") for i in range(count)]
        subscription = configure(users, messengers=["InSiteMessenger"])
        for user in users[::3]:
            set_preference(user.pk, subscription.pk, "InSiteMessenger", False)
        trigger_index.refresh()  # configuration changes are loaded before, not during, the measure
        with CaptureQueriesContext(connection) as queries:
            save_article(django_capture_on_commit_callbacks, prefix)
        subscription.enabled = False
        subscription.save()
        return len(queries)

    small = fan_out_queries(3, "s")
    large = fan_out_queries(60, "l")
    assert small == large
    assert Notification.objects.count() == 2 + 40
    assert Delivery.objects.filter(reason="opted out").count() == 1 + 20


@pytest.mark.django_db
def test_page_requires_login(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_page_lists_subscriptions_by_channel_and_locks_mandatory(client):
    ana = make_user("ana")
    muted = configure([ana], messengers=["EmailRecordingMessenger", "InSiteMessenger"], name="Comments")
    configure([ana], name="Security alerts", mandatory=True)
    configure([make_user("bob")], name="Not for ana")
    set_preference(ana.pk, muted.pk, "InSiteMessenger", False)
    client.force_login(ana)

    response = client.get(reverse(PAGE))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Comments" in html and "Security alerts" in html and "Not for ana" not in html
    rows = {row.label: row for row in response.context["rows"]}
    cells = {c.channel: (c.enabled, c.locked) for c in rows["Comments"].cells}
    assert cells == {"EmailRecordingMessenger": (True, False), "InSiteMessenger": (False, False)}
    assert [(c.enabled, c.locked) for c in rows["Security alerts"].cells] == [(True, True)]
    assert "disabled" in html and "required" in html


@pytest.mark.django_db
def test_page_saves_choices_with_csrf(django_capture_on_commit_callbacks, sent):
    from django.test import Client

    ana = make_user("ana")
    comments = configure([ana], messengers=["EmailRecordingMessenger", "InSiteMessenger"], name="Comments")
    alerts = configure([ana], name="Security alerts", mandatory=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ana)
    page = client.get(reverse(PAGE))
    token = page.cookies["csrftoken"].value

    refused = client.post(reverse(PAGE), {f"pref:{comments.pk}:InSiteMessenger": "1"})
    assert refused.status_code == 403 and not Preference.objects.exists()

    # Keep in-site, turn email off; try to turn the mandatory one off too.
    saved = client.post(
        reverse(PAGE),
        {
            "csrfmiddlewaretoken": token,
            "pref:all:EmailRecordingMessenger": "1",
            "pref:all:InSiteMessenger": "1",
            f"pref:{comments.pk}:InSiteMessenger": "1",
        },
    )
    assert saved.status_code == 302
    assert list(Preference.objects.values_list("subscription_id", "channel", "enabled")) == [
        (comments.pk, "EmailRecordingMessenger", False)
    ]

    save_article(django_capture_on_commit_callbacks)
    assert Delivery.objects.get(subscription=alerts).status == DeliveryStatus.SENT
    assert Delivery.objects.get(subscription=comments).reason == "opted out"
    assert Notification.objects.filter(recipient=ana).count() == 1

    # Everything back on: the specific row goes away, nothing is stored.
    client.post(
        reverse(PAGE),
        {
            "csrfmiddlewaretoken": token,
            "pref:all:EmailRecordingMessenger": "1",
            "pref:all:InSiteMessenger": "1",
            f"pref:{comments.pk}:InSiteMessenger": "1",
            f"pref:{comments.pk}:EmailRecordingMessenger": "1",
        },
    )
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_page_global_switch_mutes_every_subscription_on_a_channel(client):
    ana = make_user("ana")
    first, second = configure([ana], name="One"), configure([ana], name="Two")
    client.force_login(ana)

    client.post(reverse(PAGE), {f"pref:{first.pk}:EmailRecordingMessenger": "1"})  # all off, but keep "One"

    assert set(Preference.objects.values_list("subscription_id", "channel", "enabled")) == {
        (None, "EmailRecordingMessenger", False),
        (first.pk, "EmailRecordingMessenger", True),
    }
    rows = {row.label: row for row in client.get(reverse(PAGE)).context["rows"]}
    assert rows["One"].cells[0].enabled is True
    assert rows["Two"].cells[0].enabled is False
    assert second.pk not in Preference.objects.values_list("subscription_id", flat=True)


def test_template_is_overridable(settings, tmp_path):
    from django.template.loader import get_template

    (tmp_path / "django_signal_notifier").mkdir()
    (tmp_path / "django_signal_notifier" / "preferences.html").write_text("custom page")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    assert get_template("django_signal_notifier/preferences.html").render({}) == "custom page"
