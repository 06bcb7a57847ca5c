"""The live badge's endpoint: ETag and 304 while the count holds, the new count after a notification."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_signal_notifier import declare
from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
URL = "django_signal_notifier_inbox:unread_count"


def test_etag_304_while_unchanged_then_the_new_count_after_a_notification(
    alice: Any, bob: Any, run_on_commit: Any
) -> None:
    trigger = declare.trigger("article-created", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-alice", trigger=trigger, backends=[inbox], users=[alice])
    client = Client()
    client.force_login(alice)

    first = client.get(reverse(URL))
    assert first.status_code == 200
    assert first.json() == {"unread_count": 0}
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')

    with CaptureQueriesContext(connection) as queries:
        unchanged = client.get(reverse(URL), HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert len(queries) == 2  # the session and the user: the count came from the per-user cache

    with run_on_commit():
        Article.objects.create(title="News")

    changed = client.get(reverse(URL), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json() == {"unread_count": 1}
    assert changed["ETag"] != etag
    assert client.get(reverse(URL), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304
    assert client.head(reverse(URL))["ETag"] == changed["ETag"]


def test_etags_differ_between_users_with_equal_counts(alice: Any, bob: Any) -> None:
    make_notifications(alice, 2)
    make_notifications(bob, 2)
    tags = []
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        tags.append(client.get(reverse(URL))["ETag"])
    assert tags[0] != tags[1]
    # Bob's ETag does not validate Alice's count.
    client = Client()
    client.force_login(alice)
    assert client.get(reverse(URL), HTTP_IF_NONE_MATCH=tags[1]).status_code == 200


def test_marking_read_elsewhere_changes_the_etag(alice: Any) -> None:
    make_notifications(alice, 2)
    client = Client()
    client.force_login(alice)
    etag = client.get(reverse(URL))["ETag"]
    Notification.objects.mark_all_as_read(alice)
    response = client.get(reverse(URL), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json() == {"unread_count": 0}
