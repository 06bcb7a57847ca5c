"""The default inbox page reads naturally: a marker for unread, relative times, initials, clickable links."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from django_signal_notifier.inbox.cache import bump
from django_signal_notifier.models import Notification
from django_signal_notifier.templatetags.signal_notifier import avatar_class, initials, relative_time
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db


def inbox_html(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("django_signal_notifier_inbox:page"))
    assert response.status_code == 200
    return response.content.decode()


def items(html: str) -> list[str]:
    return re.findall(r'<li id="notification-\d+".*?</li>', html, re.DOTALL)


def test_unread_is_a_marker_and_the_count_sits_on_the_unread_folder(alice: Any, bob: Any) -> None:
    make_notifications(alice, 2, actor=bob)
    Notification.objects.filter(pk=Notification.objects.order_by("pk").first().pk).update(unread=False)

    html = inbox_html(alice)

    unread, read = items(html)
    assert 'class="dsn-item unread"' in unread and 'class="dsn-dot"' in unread and "Unread:" in unread
    assert 'class="dsn-item read"' in read and "dsn-dot" not in read
    # The count sits on the Unread folder (live, as the site's badge is), not in a second badge.
    [count] = re.findall(r"<span class=\"dsn-count\" data-signal-notifier-badge[^>]*>", html)
    assert 'data-count="1"' in count and "hidden" not in count
    assert re.search(r'\?show=unread"[^>]*>Unread <span class="dsn-count"', html)
    assert "signal-notifier-badge-link" not in html
    assert "django_signal_notifier/pages.css" in html


def test_times_are_relative_and_the_full_date_is_kept_in_the_markup(alice: Any, bob: Any) -> None:
    make_notifications(alice, 1, actor=bob)
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=3))

    [item] = items(inbox_html(alice))

    assert re.search(r"<time datetime=\"[^\"]+\" title=\"[^\"]+\">3\xa0hours ago</time>", item), item


def test_the_actor_has_initials_and_a_target_that_is_the_reader_is_not_shown(alice: Any, bob: Any) -> None:
    [row] = make_notifications(alice, 1, actor=bob)
    user_ct = ContentType.objects.get_for_model(alice)
    Notification.objects.filter(pk=row.pk).update(
        target_content_type=user_ct, target_object_id=str(alice.pk), target_text="alice"
    )

    [item] = items(inbox_html(alice))

    assert re.search(r'<span class="dsn-avatar dsn-hue-\d" aria-hidden="true">B</span>', item), item
    assert "in alice" not in " ".join(item.split())  # "in alice" is no place to alice


def test_a_target_that_is_not_the_reader_is_shown_as_the_context(alice: Any, bob: Any) -> None:
    make_notifications(alice, 1, actor=bob)
    [item] = items(inbox_html(alice))
    assert "in tag for alice" in " ".join(re.sub(r"<[^>]+>", " ", item).split())


def test_a_link_in_the_body_is_clickable(alice: Any) -> None:
    [row] = make_notifications(alice, 1)
    Notification.objects.filter(pk=row.pk).update(body="Read it: https://example.com/articles/7/\nThanks")

    [item] = items(inbox_html(alice))

    assert '<a href="https://example.com/articles/7/" rel="nofollow">https://example.com/articles/7/</a><br>' in item


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=5), "5\xa0minutes ago"),
        (timedelta(days=2), "2\xa0days ago"),
    ],
)
def test_relative_time(age: timedelta, expected: str) -> None:
    assert relative_time(timezone.now() - age) == expected


def test_an_old_notification_shows_its_date() -> None:
    assert relative_time(timezone.make_aware(timezone.datetime(2020, 3, 1, 12, 0))) == "March 1, 2020"


def test_initials_and_a_stable_avatar_colour() -> None:
    assert initials("Ada Lovelace") == "AL"
    assert initials("bob") == "B"
    assert initials("jean_luc.picard") == "JL"
    assert initials("") == ""
    assert avatar_class("bob") == avatar_class("bob") and re.fullmatch(r"dsn-hue-[0-7]", avatar_class("bob"))


def test_the_badge_is_hidden_at_zero_and_shown_with_a_count(alice: Any) -> None:
    template = Template("{% load signal_notifier %}{% notification_badge %}")
    request = RequestFactory().get("/")
    request.user = alice

    at_zero = template.render(Context({"request": request}))
    make_notifications(alice, 2)
    bump([alice.pk])  # rows written behind the package's back (bulk_create): say so, as documented
    request = RequestFactory().get("/")
    request.user = alice
    with_two = template.render(Context({"request": request}))

    assert re.search(r"<span class=\"signal-notifier-badge\"[^>]* hidden>", at_zero)
    assert not re.search(r"<span class=\"signal-notifier-badge\"[^>]* hidden>", with_two)
    assert '<span class="signal-notifier-badge-count">2</span>' in with_two
