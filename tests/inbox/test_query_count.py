"""An inbox page of 20 with actors, objects and targets costs the same queries at any inbox size."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db


def _queries_for(url_name: str, inbox_size: int) -> tuple[int, int, Any]:
    user = get_user_model().objects.create_user(f"reader{inbox_size}", password="pw")
    make_notifications(user, inbox_size, actor=get_user_model().objects.create_user(f"actor{inbox_size}"))
    client = Client()
    client.force_login(user)
    url = reverse(f"django_signal_notifier_inbox:{url_name}")
    caches["default"].clear()  # cold: the unread count is computed, not cached
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return len(cold), len(warm), response


@pytest.mark.parametrize("url_name", ["page", "list"])
def test_constant_queries_at_20_and_500_notifications(url_name: str) -> None:
    _queries_for(url_name, 1)  # warm Django's content-type cache, as any running process has it
    cold_20, warm_20, response_20 = _queries_for(url_name, 20)
    cold_500, warm_500, response_500 = _queries_for(url_name, 500)
    assert cold_20 == cold_500
    assert warm_20 == warm_500
    # session + user, page count + page rows (the page shows entries: their count is cached
    # until the inbox changes), one per content type with URLs (articles), and the unread count
    # when it is not cached. The page also reads the user's mutes (one query) and marks its new
    # rows seen (one UPDATE, the first time only; it moves the user's cache version, so the
    # second visit counts the entries again).
    assert cold_500 == (8 if url_name == "page" else 6)
    assert warm_500 == (6 if url_name == "page" else 5)
    if url_name == "list":
        assert len(response_500.json()["results"]) == 20
        assert all(item["action_object"]["url"] for item in response_500.json()["results"])
        assert all(item["actor"]["text"] == "actor500" for item in response_500.json()["results"])
    else:
        html = response_500.content.decode()
        assert html.count('class="dsn-item unread"') == 20
        assert html.count("actor500") >= 20
        assert "tag for reader500" in html
