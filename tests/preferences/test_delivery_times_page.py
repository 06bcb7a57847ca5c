"""The preferences page's "When" part: digest frequency, time zone and quiet hours saved on the Profile."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.urls import reverse

from django_signal_notifier.models import Preference, Profile
from tests.support.prefs import configure, make_user

PAGE = "django_signal_notifier_preferences:preferences"
pytestmark = pytest.mark.django_db


def test_the_page_saves_a_users_digest_frequency_time_zone_and_quiet_hours(client: Any) -> None:
    ana = make_user("ana")
    configure([ana])
    client.force_login(ana)
    page = client.get(reverse(PAGE)).content.decode()
    assert 'name="times-digest_frequency"' in page and 'value="Europe/Paris"' in page

    response = client.post(
        reverse(PAGE),
        {
            "times-digest_frequency": "daily",
            "times-time_zone": "Europe/Paris",
            "times-quiet_hours_start": "22:00",
            "times-quiet_hours_end": "07:00",
        },
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=ana)
    assert (profile.digest_frequency, profile.time_zone, profile.quiet_hours_start, profile.quiet_hours_end) == (
        "daily",
        "Europe/Paris",
        time(22),
        time(7),
    )
    assert Preference.objects.filter(user=ana, enabled=False).exists()  # unticked boxes saved with it
    assert 'value="22:00"' in client.get(reverse(PAGE)).content.decode()


def test_half_a_quiet_window_is_refused_with_the_reason_and_nothing_is_saved(client: Any) -> None:
    ana = make_user("ana")
    configure([ana])
    client.force_login(ana)
    response = client.post(reverse(PAGE), {"times-time_zone": "Europe/Paris", "times-quiet_hours_start": "22:00"})
    assert response.status_code == 400
    assert "Give both ends of the quiet hours" in response.content.decode()
    assert not Profile.objects.exists() and not Preference.objects.exists()
