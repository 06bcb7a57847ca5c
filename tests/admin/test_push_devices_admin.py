"""The admin lists each user's Web Push browsers; they are added by browsers only, deleted by an admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from django_signal_notifier.models import Profile, WebPushDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@example.test", "pw"))
    return client


def test_the_devices_are_listed_with_their_user_and_push_service(staff: Client) -> None:
    ada = get_user_model().objects.create_user("ada")
    WebPushDevice.objects.register(
        ada, "https://updates.push.services.mozilla.com/wpush/v2/abc", "k", "a", "Firefox 140"
    )
    page = staff.get(reverse("admin:django_signal_notifier_webpushdevice_changelist")).content.decode()
    assert "ada" in page and "Firefox 140" in page and "updates.push.services.mozilla.com" in page
    assert staff.get(reverse("admin:django_signal_notifier_webpushdevice_add")).status_code == 403


def test_the_profile_list_shows_the_x_handle(staff: Client) -> None:
    Profile.objects.create(user=get_user_model().objects.create_user("ada"), x_handle="ada_lovelace")
    page = staff.get(reverse("admin:django_signal_notifier_profile_changelist")).content.decode()
    assert "ada_lovelace" in page
