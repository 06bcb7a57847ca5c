"""The preferences API: the same table as the preferences page, changed a few cells at a time."""

from __future__ import annotations

from typing import Any

import pytest

from django_signal_notifier.models import Preference
from django_signal_notifier.preferences.rules import opted_out
from tests.api.conftest import API, token_client
from tests.support.prefs import configure

pytestmark = pytest.mark.django_db
URL = f"{API}/preferences/"


def _patch(client: Any, *changes: dict[str, Any]) -> Any:
    return client.patch(URL, {"preferences": list(changes)}, content_type="application/json")


def test_get_lists_the_subscriptions_that_reach_the_user_with_their_channels(alice: Any, bob: Any) -> None:
    news = configure([alice], messengers=("EmailRecordingMessenger", "InSiteMessenger"), name="News")
    configure([bob], name="Bob's only")
    document = token_client(alice).get(URL).json()
    assert len(document["channels"]) == 2
    rows = document["subscriptions"]
    assert [row["id"] for row in rows] == [None, news.pk]
    assert rows[1]["label"] == "News" and rows[1]["mandatory"] is False
    assert all(cell["enabled"] and not cell["locked"] for row in rows for cell in row["channels"])


def test_patch_turns_one_cell_off_and_leaves_the_others(alice: Any) -> None:
    news = configure([alice], messengers=("EmailRecordingMessenger", "InSiteMessenger"), name="News")
    client = token_client(alice)
    channels = [cell["channel"] for cell in client.get(URL).json()["subscriptions"][1]["channels"]]
    off, kept = channels

    response = _patch(client, {"subscription": news.pk, "channel": off, "enabled": False})

    assert response.status_code == 200, response.content
    cells = {c["channel"]: c["enabled"] for c in response.json()["subscriptions"][1]["channels"]}
    assert cells == {off: False, kept: True}
    assert list(Preference.objects.values_list("user", "subscription", "channel", "enabled")) == [
        (alice.pk, news.pk, off, False)
    ]
    assert opted_out(news.pk, channels) == {off: {alice.pk}, kept: set()}  # the fan-out reads this

    _patch(client, {"subscription": news.pk, "channel": off, "enabled": True})
    assert not Preference.objects.exists()  # back to what the user inherits: no row at all


def test_patch_of_the_every_subscription_row(alice: Any) -> None:
    news = configure([alice], name="News")
    client = token_client(alice)
    channel = client.get(URL).json()["channels"][0]["channel"]
    _patch(client, {"subscription": None, "channel": channel, "enabled": False})
    assert opted_out(news.pk, [channel]) == {channel: {alice.pk}}  # the subscription follows "all"
    _patch(
        client,
        {"subscription": None, "channel": channel, "enabled": True},
        {"subscription": news.pk, "channel": channel, "enabled": False},
    )
    assert opted_out(news.pk, [channel]) == {channel: {alice.pk}}
    assert list(Preference.objects.values_list("subscription", "enabled")) == [(news.pk, False)]


@pytest.mark.parametrize(
    "change",
    [
        {"subscription": 999_999, "channel": "email", "enabled": False},
        {"subscription": None, "channel": "fax", "enabled": False},
        {"subscription": None, "channel": "email", "enabled": "no"},
        {"subscription": "1", "channel": "email", "enabled": False},
        "email",
    ],
)
def test_patch_of_something_that_is_not_the_users_is_a_400(alice: Any, change: Any) -> None:
    configure([alice], name="News")
    response = _patch(token_client(alice), change)
    assert response.status_code == 400
    assert "preferences[0]" in " ".join(response.json()["fields"])
    assert not Preference.objects.exists()


def test_another_users_subscription_cannot_be_changed(alice: Any, bob: Any) -> None:
    configure([alice], name="News")
    bobs = configure([bob], name="Bob's only")
    response = _patch(token_client(alice), {"subscription": bobs.pk, "channel": "email", "enabled": False})
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_a_mandatory_subscription_cannot_be_turned_off(alice: Any) -> None:
    rules = configure([alice], name="Terms of service", mandatory=True)
    client = token_client(alice)
    row = client.get(URL).json()["subscriptions"][1]
    assert row["mandatory"] is True and row["channels"][0]["locked"] is True
    channel = row["channels"][0]["channel"]
    response = _patch(client, {"subscription": rules.pk, "channel": channel, "enabled": False})
    assert response.status_code == 400
    assert "mandatory" in next(iter(response.json()["fields"].values()))
    assert not Preference.objects.exists()


def test_an_empty_or_missing_list_is_a_400(alice: Any) -> None:
    client = token_client(alice)
    assert client.patch(URL, {}, content_type="application/json").status_code == 400
    assert client.patch(URL, {"preferences": []}, content_type="application/json").status_code == 400


def test_patch_sets_the_delivery_times_and_get_reads_them_back(alice: Any) -> None:
    from django_signal_notifier.models import Profile

    configure([alice], name="News")
    client = token_client(alice)
    assert client.get(URL).json()["delivery_times"] == {
        "digest_frequency": "",
        "time_zone": "",
        "quiet_hours_start": None,
        "quiet_hours_end": None,
    }

    times = {
        "digest_frequency": "weekly",
        "time_zone": "Europe/Paris",
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
    }
    response = client.patch(URL, {"delivery_times": times}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["delivery_times"] == times
    assert Profile.objects.get(user=alice).digest_frequency == "weekly"
    partial = client.patch(URL, {"delivery_times": {"digest_frequency": "daily"}}, content_type="application/json")
    assert partial.json()["delivery_times"] == {**times, "digest_frequency": "daily"}  # the rest kept


def test_bad_delivery_times_are_refused_field_by_field_and_nothing_changes(alice: Any) -> None:
    news = configure([alice], name="News")
    client = token_client(alice)
    channel = client.get(URL).json()["subscriptions"][1]["channels"][0]["channel"]
    response = client.patch(
        URL,
        {
            "preferences": [{"subscription": news.pk, "channel": channel, "enabled": False}],
            "delivery_times": {"time_zone": "Mars/Olympus", "quiet_hours_start": "22:00"},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    text = str(response.json())
    assert "delivery_times.time_zone" in text and "not a time zone" in text
    assert not Preference.objects.exists()


def test_null_clears_quiet_hours_but_is_refused_for_the_time_zone_and_frequency(alice: Any) -> None:
    """The schema allows null for the quiet hours only (schemathesis found null accepted elsewhere)."""
    configure([alice], name="News")
    client = token_client(alice)
    for name in ("time_zone", "digest_frequency"):
        response = client.patch(URL, {"delivery_times": {name: None}}, content_type="application/json")
        assert response.status_code == 400
        assert f"delivery_times.{name}" in response.json()["fields"]
    cleared = client.patch(URL, {"delivery_times": {"quiet_hours_start": None}}, content_type="application/json")
    assert cleared.status_code == 200, cleared.content
