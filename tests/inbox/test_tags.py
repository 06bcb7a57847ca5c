"""Template tags: per-user values, no leak between users in one process, no N+1."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db
COUNT = Template("{% load signal_notifier %}[{% unread_notification_count %}]")


def _render(template: Template, user: Any, **extra: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return template.render(Context({"request": request, **extra}))


def test_unread_count_for_two_users_in_one_process_never_leaks(alice: Any, bob: Any) -> None:
    make_notifications(alice, 3)
    make_notifications(bob, 1)
    # Interleaved, cached, and rendered by the same compiled template object.
    for _ in range(2):
        assert _render(COUNT, alice) == "[3]"
        assert _render(COUNT, bob) == "[1]"
    # Both values now come from the cache: no query.
    with CaptureQueriesContext(connection) as queries:
        assert _render(COUNT, alice) == "[3]"
        assert _render(COUNT, bob) == "[1]"
    assert len(queries) == 0
    # A write for one user changes that user's value only, at once.
    Notification.objects.mark_all_as_read(alice)
    assert _render(COUNT, alice) == "[0]"
    assert _render(COUNT, bob) == "[1]"
    # Without a request the context's user is used.
    assert COUNT.render(Context({"user": bob})) == "[1]"
    assert _render(COUNT, AnonymousUser()) == "[0]"


def test_one_request_rendering_for_two_users_keeps_them_apart(alice: Any, bob: Any) -> None:
    make_notifications(alice, 2)
    make_notifications(bob, 5)
    template = Template(
        "{% load signal_notifier %}{% unread_notification_count %}/{% unread_notification_count other %}"
        "/{% unread_notification_count %}"
    )
    assert _render(template, alice, other=bob) == "2/5/2"


def test_latest_list_is_one_query_with_texts_and_memoised(alice: Any, bob: Any) -> None:
    make_notifications(alice, 30)
    make_notifications(bob, 2)
    template = Template(
        "{% load signal_notifier %}{% latest_notifications 5 as items %}"
        "{% for n in items %}{{ n.title }}|{{ n.actor_ref }}|{{ n.target_ref }}|"
        "{{ n.action_object_ref.url }};{% endfor %}"
        "{% latest_notifications 5 as again %}{{ again|length }}"
    )
    request = RequestFactory().get("/")
    request.user = alice
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"request": request}))
    # One query for the rows, one for the linked articles (users and tags have no URL).
    assert len(queries) == 2, [q["sql"] for q in queries]
    lines = html.split(";")
    assert lines[0].startswith("alice created article “Article 29”|alice|tag for alice|/articles/")
    assert html.endswith("5")
    assert "bob" not in html


def test_badge_renders_the_count_the_endpoint_and_the_script(alice: Any) -> None:
    make_notifications(alice, 4)
    html = _render(Template("{% load signal_notifier %}{% notification_badge %}"), alice)
    assert 'data-url="/inbox/api/unread-count/"' in html
    assert 'data-count="4"' in html
    assert 'href="/inbox/"' in html
    assert "django_signal_notifier/badge.js" in html
    assert _render(Template("{% load signal_notifier %}{% notification_badge %}"), AnonymousUser()).strip() == ""
