"""Seen, snooze and mute on the inbox page (POST forms with CSRF) and in the template tags."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from django_signal_notifier.models import Mute, Notification
from tests.inbox.conftest import make_notifications
from tests.testapp.models import Tag

pytestmark = pytest.mark.django_db


def signed_in(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"django_signal_notifier_inbox:{name}", args=args)


def test_opening_the_page_sees_its_rows_and_keeps_them_new_this_once(alice: Any) -> None:
    make_notifications(alice, 2)
    client = signed_in(alice)
    first = client.get(url("page")).content.decode()
    assert first.count("data-unseen") == 2
    assert not Notification.objects.filter(seen_at__isnull=True).exists()
    assert Notification.objects.filter(unread=True).count() == 2  # seen, not read
    assert "data-unseen" not in client.get(url("page")).content.decode()


def test_snooze_form_hides_the_row_until_later_and_show_now_brings_it_back(alice: Any) -> None:
    rows = make_notifications(alice, 2)
    client = signed_in(alice, enforce_csrf_checks=True)
    page = client.get(url("page"))
    html = page.content.decode()
    assert f'action="{url("snooze", rows[0].pk)}"' in html and 'name="seconds"' in html
    token = page.cookies["csrftoken"].value
    assert client.post(url("snooze", rows[0].pk), {"seconds": "3600", "next": "/inbox/"}).status_code == 403
    answer = client.post(
        url("snooze", rows[0].pk), {"seconds": "3600", "next": "/inbox/", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 303
    snoozed = Notification.objects.get(pk=rows[0].pk).snoozed_until
    assert snoozed is not None and 3500 < (snoozed - timezone.now()).total_seconds() <= 3600
    assert f"notification-{rows[0].pk}" not in client.get(url("page")).content.decode()
    folder = client.get(url("page") + "?show=snoozed").content.decode()
    assert f"notification-{rows[0].pk}" in folder and url("unsnooze", rows[0].pk) in folder
    client.post(url("unsnooze", rows[0].pk), {"next": "/inbox/", "csrfmiddlewaretoken": token})
    assert Notification.objects.get(pk=rows[0].pk).snoozed_until is None


@pytest.mark.parametrize("seconds", ["", "abc", "-5", "10", str(400 * 86400)])
def test_a_bad_snooze_time_is_a_400_that_says_what_to_send(alice: Any, seconds: str) -> None:
    row = make_notifications(alice, 1)[0]
    answer = signed_in(alice).post(url("snooze", row.pk), {"seconds": seconds})
    assert answer.status_code == 400
    assert "nooze" in answer.json()["error"]
    assert Notification.objects.get(pk=row.pk).snoozed_until is None


def test_mute_and_follow_forms_on_the_thread(alice: Any, bob: Any) -> None:
    row = make_notifications(alice, 1)[0]
    tag = Tag.objects.get(pk=row.target_object_id)
    client = signed_in(alice)
    html = client.get(url("page")).content.decode()
    assert f"Mute “{tag.name}”" in html
    assert client.post(url("mute", row.pk), {"next": "/inbox/"}).status_code == 303
    mute = Mute.objects.get(user=alice)
    assert (mute.content_type_id, mute.object_id, mute.text) == (
        ContentType.objects.get_for_model(Tag).pk,
        str(tag.pk),
        tag.name,
    )
    html = client.get(url("page")).content.decode()
    assert f"Follow “{tag.name}” again" in html and "muted" in html
    client.post(url("follow", row.pk), {"next": "/inbox/"})
    assert not Mute.objects.exists()
    # Someone else's notification: 404, nothing muted.
    assert signed_in(bob).post(url("mute", row.pk)).status_code == 404
    assert not Mute.objects.exists()


def test_seen_all_endpoint(alice: Any, bob: Any) -> None:
    make_notifications(alice, 2)
    make_notifications(bob, 1)
    answer = signed_in(alice).post(url("mark_all_seen"))
    assert answer.json()["changed"] == 2
    assert Notification.objects.filter(recipient=bob, seen_at__isnull=True).count() == 1


def _render(source: str, user: Any) -> str:
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return Template("{% load signal_notifier %}" + source).render(Context({"request": request}))


def test_tags_unseen_count_snoozed_folder_mutes_and_actions(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    Notification.objects.filter(pk=rows[0].pk).mark_as_read(alice)
    Notification.objects.filter(pk=rows[1].pk).snooze(timezone.now() + timezone.timedelta(hours=2), user=alice)
    assert _render("[{% unseen_notification_count %}]", alice) == "[1]"
    snoozed = _render(
        '{% latest_notifications 5 show="snoozed" as items %}{% for n in items %}{{ n.pk }};{% endfor %}', alice
    )
    assert snoozed == f"{rows[1].pk};"
    Mute.objects.mute(alice, rows[2].target_content_type_id, rows[2].target_object_id, "the tag")
    assert _render("{% muted_threads as mutes %}{% for m in mutes %}{{ m.text }}{% endfor %}", alice) == "the tag"
    actions = _render(
        "{% latest_notifications 5 as items %}{% for n in items %}{% notification_state_actions n %}{% endfor %}",
        alice,
    )
    assert url("snooze", rows[2].pk) in actions and url("follow", rows[2].pk) in actions
    assert url("follow", rows[0].pk) in actions and "/mute/" not in actions  # one tag: every row's thread
    assert 'name="next" value="/somewhere/"' in actions
    assert _render("{% notifier_api_url %}", alice) == "/inbox/api/v1"
