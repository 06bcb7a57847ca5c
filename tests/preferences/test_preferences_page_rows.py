"""The preferences page lists every subscription that reaches the user, in fixed channel columns."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from django_signal_notifier.models import Subscription
from django_signal_notifier.registry import receiver
from tests.support.prefs import configure, make_user
from tests.support.whomwhat import configure as configure_dynamic
from tests.testapp.models import Article, Comment

pytestmark = pytest.mark.django_db
PAGE = "django_signal_notifier_preferences:preferences"


@receiver()
def author_of_the_article(view: Any) -> Any:
    """A receiver callable: who it reaches cannot be told before it runs."""
    return User.objects.filter(pk=view.instance.article.author_id)


def page(client: Any, user: Any) -> Any:
    client.force_login(user)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    return response


def test_a_subscription_with_receivers_from_the_event_is_listed_before_it_ever_sent(client):
    ana = make_user("ana")
    configure_dynamic(Article, receiver_field_paths=["author"], name="New articles to their author")

    rows = {row.label for row in page(client, ana).context["rows"]}

    assert "New articles to their author" in rows  # ana can turn it off before the first one


def test_a_subscription_that_reached_the_inbox_through_a_callable_is_listed(client, run_on_commit):
    ana, other = make_user("ana"), make_user("other")
    trigger, _, _ = configure_dynamic(
        Comment, receiver_callable=f"{__name__}.author_of_the_article", name="Comments on your articles"
    )
    others = Subscription.objects.create(trigger=trigger, name="Comments, for someone else")
    others.receiver_users.add(other)
    assert "Comments on your articles" not in {r.label for r in page(client, ana).context["rows"]}

    with run_on_commit():
        Comment.objects.create(article=Article.objects.create(title="Mine", author=ana), text="hi")

    labels = {r.label for r in page(client, ana).context["rows"]}
    assert "Comments on your articles" in labels
    assert "Comments, for someone else" not in labels  # same trigger, but it names only other
    assert "Comments on your articles" not in {r.label for r in page(client, other).context["rows"]}


def test_every_row_has_the_same_channel_columns_in_the_same_order(client):
    ana = make_user("ana")
    configure([ana], messengers=["InSiteMessenger", "EmailRecordingMessenger"], name="Both, inbox first")
    configure([ana], messengers=["EmailRecordingMessenger", "InSiteMessenger"], name="Both, email first")
    configure([ana], messengers=["InSiteMessenger"], name="Inbox only")

    response = page(client, ana)

    channels = [column.channel for column in response.context["columns"]]
    assert len(channels) == 2
    for row in response.context["rows"]:
        assert [cell.channel if cell else None for cell in row.columns] in (
            channels,
            [None, channels[1]],
            [channels[0], None],
        )
    rows = {row.label: row for row in response.context["rows"]}
    assert [c.channel for c in rows["Both, inbox first"].columns] == [
        c.channel for c in rows["Both, email first"].columns
    ]
    html = response.content.decode()
    assert html.count('<td class="dsn-check">') == 2 * len(rows)  # a cell in every column, even where unused
    assert "Not sent on this channel" in html


def test_a_subscription_without_a_name_reads_as_its_model_and_what_happened(client):
    ana = make_user("ana")
    configure([ana])  # post_save on Article, no name

    labels = [row.label for row in page(client, ana).context["rows"]]

    assert labels == ["All notifications", "Article saved"]
