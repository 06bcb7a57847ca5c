"""The in-site channel end to end: a save fans out Notification rows and refreshes cached counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from django_signal_notifier import declare
from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.inbox.queries import unread_count
from django_signal_notifier.models import Delivery, Notification
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article_inbox(alice: Any, bob: Any) -> None:
    trigger = declare.trigger("article-created", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-readers", trigger=trigger, backends=[inbox], users=[alice, bob])


def test_a_save_writes_one_row_per_recipient_and_no_delivery(
    article_inbox: None, alice: Any, bob: Any, run_on_commit: Any
) -> None:
    assert unread_count(alice) == 0  # cached as 0 before the event
    with run_on_commit(), acting_as(bob):
        article = Article.objects.create(title="Hello", author=bob)
    rows = Notification.objects.filter(recipient=alice)
    assert rows.count() == 1
    row = rows.get()
    assert (row.actor_text, row.action_object_text, row.action_object_id) == ("bob", "Hello", str(article.pk))
    assert row.url == f"/articles/{article.pk}/"
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert not Delivery.objects.exists()  # the row is the in-site channel's delivery record
    # The fan-out invalidated the cached 0.
    assert unread_count(alice) == 1


def test_the_api_lists_the_fanned_out_row_with_links(
    article_inbox: None, alice: Any, bob: Any, run_on_commit: Any
) -> None:
    with run_on_commit(), acting_as(bob):
        article = Article.objects.create(title="Linked", author=bob)
    client = Client()
    client.force_login(alice)
    body = client.get(reverse("django_signal_notifier_inbox:list")).json()
    [item] = body["results"]
    assert item["action_object"] == {
        "text": "Linked",
        "url": f"/articles/{article.pk}/",
        "content_type": item["action_object"]["content_type"],
        "id": str(article.pk),
    }
    assert item["actor"]["text"] == "bob"
    assert item["actor"]["url"] == ""  # the user model has no get_absolute_url
    assert body["unread_count"] == 1


@pytest.mark.xfail(
    connection.vendor == "mysql",
    reason="MariaDB: after some earlier tests the counts are bumped twice (the same extra savepoint as the S2 "
    "query-count test; order-dependent; not yet traced)",
    strict=False,
)
@pytest.mark.django_db(transaction=True)  # autocommit: the fan-out opens the event's transaction itself
def test_under_autocommit_the_fan_out_bumps_the_counts_once_after_its_commit(
    article_inbox: None, alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from django_signal_notifier.inbox import cache

    assert unread_count(alice) == 0  # cached as 0 before the event
    bumps: list[bool] = []
    bump_now = cache._bump_now

    def recording(user_ids: Any) -> None:
        bumps.append(connection.in_atomic_block)
        bump_now(user_ids)

    monkeypatch.setattr(cache, "_bump_now", recording)
    Article.objects.create(title="Hello")
    assert bumps == [False]  # once, after the commit: nothing reads the inbox inside the fan-out's transaction
    assert unread_count(alice) == 1
