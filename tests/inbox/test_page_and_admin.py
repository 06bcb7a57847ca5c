"""The inbox page without JavaScript, the admin actions and the settings checks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.urls import reverse

from django_signal_notifier.inbox.checks import check_inbox_settings
from django_signal_notifier.inbox.queries import unread_count
from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db


def test_the_page_works_with_forms_only(alice: Any) -> None:
    rows = make_notifications(alice, 2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(reverse("django_signal_notifier_inbox:page"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Notifications</h1>" in html
    assert html.count('class="dsn-item unread"') == 2
    # Each mark-read button is a POST form with a CSRF token and a way back.
    form = re.search(
        rf'<form method="post" action="(/inbox/api/groups/{rows[0].pk}/read/)" class="dsn-inline">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        r'<input type="hidden" name="next" value="([^"]+)">',
        html,
    )
    assert form, html
    action, token, next_url = form.groups()
    response = client.post(action, {"csrfmiddlewaretoken": token, "next": next_url})
    assert response.status_code == 303 and response["Location"] == "/inbox/"
    assert Notification.objects.get(pk=rows[0].pk).unread is False
    html = client.get(response["Location"]).content.decode()
    assert html.count('class="dsn-item unread"') == 1
    assert f"/inbox/api/groups/{rows[0].pk}/unread/" in html


def test_the_template_can_be_overridden(alice: Any, tmp_path: Any, settings: Any) -> None:
    make_notifications(alice, 3)
    folder = tmp_path / "django_signal_notifier"
    folder.mkdir()
    (folder / "inbox.html").write_text("mine: {{ unread_count }} {% for n in notifications %}{{ n.pk }},{% endfor %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("django_signal_notifier_inbox:page")).content.decode().startswith("mine: 3 ")


def test_admin_actions_mark_read_and_unread(alice: Any, bob: Any) -> None:
    rows = make_notifications(alice, 3)
    make_notifications(bob, 1)
    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:django_signal_notifier_notification_changelist")
    assert unread_count(alice) == 3
    response = client.post(url, {"action": "mark_read", "_selected_action": [rows[0].pk, rows[1].pk]}, follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert unread_count(alice) == 1  # the cached count followed the admin's write
    assert unread_count(bob) == 1
    client.post(url, {"action": "mark_unread", "_selected_action": [rows[0].pk]})
    assert unread_count(alice) == 2
    client.post(url, {"action": "archive", "_selected_action": [rows[2].pk]})
    assert Notification.objects.get(pk=rows[2].pk).archived is True
    assert unread_count(alice) == 1


@pytest.mark.parametrize(
    ("setting", "error_id"),
    [
        ({"INBOX_PAGE_SIZE": 0}, "signal_notifier.E161"),
        ({"INBOX_POLL_INTERVAL": "30"}, "signal_notifier.E161"),
        ({"INBOX_PAGE_SIZE": 50, "INBOX_MAX_PAGE_SIZE": 10}, "signal_notifier.E162"),
        ({"INBOX_CACHE_TIMEOUT": -1}, "signal_notifier.E163"),
        ({"INBOX_CACHE": "nope"}, "signal_notifier.E164"),
    ],
)
def test_bad_settings_are_reported(setting: dict[str, Any], error_id: str) -> None:
    with override_settings(SIGNAL_NOTIFIER=setting):
        assert error_id in [message.id for message in check_inbox_settings()]
        # Reported by `manage.py check`, through InSiteMessenger.check().
        assert error_id in [message.id for message in run_checks()]
    assert check_inbox_settings() == []
