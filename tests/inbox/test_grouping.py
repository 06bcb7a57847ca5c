"""Grouping: notifications with the same group key are one inbox entry ("bob and 3 others …")."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from django_signal_notifier import declare, notify
from django_signal_notifier.config.problems import subscription_problems
from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.inbox.grouping import actors_phrase, entries_page, entry_rows, group_members
from django_signal_notifier.inbox.queries import attach_references, unread_count
from django_signal_notifier.models import Delivery, DeliveryStatus, Notification, Subscription
from tests.inbox.conftest import make_notifications
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


def _users(*names: str) -> list[Any]:
    return [get_user_model().objects.create_user(name, password="pw") for name in names]


def _inbox(alice: Any, **options: Any) -> None:
    trigger = declare.trigger("article-saved", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-alice", trigger=trigger, backends=[inbox], users=[alice], **options)


def _four_saves(run_on_commit: Any) -> Article:
    bob, carol, dave, erin = _users("bob", "carol", "dave", "erin")
    with run_on_commit(), acting_as(erin):
        article = Article.objects.create(title="Spring", author=erin)
    for user in (dave, carol, bob):
        with run_on_commit(), acting_as(user):
            article.title = f"Spring by {user}"
            article.save()
    return article


def test_four_saves_of_one_article_are_one_entry(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice)
    _four_saves(run_on_commit)
    assert Notification.objects.filter(recipient=alice).count() == 4
    page = entries_page(alice)
    [entry] = page.object_list
    assert entry.entry.size == 4 and entry.entry.unread_count == 4
    assert entry.entry.actors == ["bob", "carol", "dave"]  # newest first, three names at most
    assert entry.entry.actor_count == 4
    assert entry.summary.startswith("bob and 3 others ")
    assert unread_count(alice) == 1  # the badge counts entries
    assert group_members(alice, entry.pk).count() == 4


def test_group_by_none_keeps_each_notification_apart(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice, group_by="none")
    _four_saves(run_on_commit)
    assert len(entries_page(alice).object_list) == 4
    assert unread_count(alice) == 4


def test_verb_target_and_custom_keys(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice, group_by="custom", group_key_template="{verb}")
    bob, carol = _users("bob", "carol")
    with run_on_commit(), acting_as(bob):
        Article.objects.create(title="One", author=bob)
    with run_on_commit(), acting_as(carol):
        Article.objects.create(title="Two", author=carol)
    [entry] = entries_page(alice).object_list  # custom "{verb}": every save is one entry
    assert entry.entry.size == 2 and entry.entry.actors_text == "carol and bob"
    Subscription.objects.filter(key="articles-to-alice").update(group_by="verb_target")
    Notification.objects.all().delete()
    with run_on_commit(), acting_as(bob):
        Article.objects.create(title="Three", author=bob)
    # verb + target: the article has no target, so its rows stand alone
    assert Notification.objects.get().group_key == ""


def test_a_bad_custom_template_is_refused_with_what_to_fix(alice: Any) -> None:
    trigger = declare.trigger("article-saved", verb="post_save", model="testapp.Article")
    problems = subscription_problems(
        Subscription(trigger=trigger, group_by="custom", group_key_template="{verb}:{title}"), related=False
    )
    assert [p.check_id for p in problems] == ["signal_notifier.W033"]
    assert "{title}" in problems[0].text and "{target}" in problems[0].text
    missing = subscription_problems(Subscription(trigger=trigger, group_by="custom"), related=False)
    assert [p.check_id for p in missing] == ["signal_notifier.W033"]


def test_notify_takes_a_group_key(alice: Any, run_on_commit: Any) -> None:
    bob, carol = _users("bob", "carol")
    for actor in (bob, carol):
        with run_on_commit():
            notify("liked", recipients=[alice], actor=actor, subject=f"{actor} liked your photo", group_key="photo-7")
    with run_on_commit():
        notify("liked", recipients=[alice], actor=bob, subject="bob liked it", group_key="")
    entries = entries_page(alice).object_list
    assert [e.entry.size for e in entries] == [1, 2]
    assert entries[1].summary == "carol and bob liked your photo"
    with pytest.raises(ValueError, match="group_key"):
        notify("liked", recipients=[alice], group_key=7)  # type: ignore[arg-type]


def test_actor_phrasing_is_translated_with_plural_forms() -> None:
    assert actors_phrase(["bob"], 1) == "bob"
    assert actors_phrase(["bob", "alice"], 2) == "bob and alice"
    assert actors_phrase(["bob", "alice", "carol"], 3) == "bob, alice and carol"
    assert actors_phrase(["bob", "alice", "carol"], 2 + 2) == "bob and 3 others"
    assert actors_phrase(["bob", "alice"], 2 + 0) == "bob and alice"
    with translation.override("es"):
        assert actors_phrase(["bob", "alice", "carol"], 4) == "bob y 3 más"
        assert actors_phrase(["bob", "alice"], 2) == "bob y alice"


def test_marking_a_group_read_marks_its_members_and_the_badge(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice)
    _four_saves(run_on_commit)
    make_notifications(alice, 1)
    assert unread_count(alice) == 2
    client = Client()
    client.force_login(alice)
    newest_of_group = Notification.objects.filter(recipient=alice).exclude(group_key="").first()
    answer = client.post(reverse("django_signal_notifier_inbox:group_read", args=[newest_of_group.pk])).json()
    assert answer == {"id": newest_of_group.pk, "changed": 4, "unread_count": 1}
    assert not Notification.objects.filter(recipient=alice, unread=True).exclude(group_key="").exists()
    bob = get_user_model().objects.get(username="bob")
    assert (
        client.post(reverse("django_signal_notifier_inbox:group_read", args=[newest_of_group.pk])).json()["changed"]
        == 0
    )
    other = Client()
    other.force_login(bob)
    assert other.post(reverse("django_signal_notifier_inbox:group_read", args=[newest_of_group.pk])).status_code == 404


def test_the_json_endpoints_list_entries_and_members(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice)
    _four_saves(run_on_commit)
    client = Client()
    client.force_login(alice)
    body = client.get(reverse("django_signal_notifier_inbox:groups")).json()
    [item] = body["results"]
    assert body["count"] == 1 and body["unread_count"] == 1
    assert item["group"]["size"] == 4 and item["group"]["actors_text"] == "bob and 3 others"
    members = client.get(reverse("django_signal_notifier_inbox:group", args=[item["id"]])).json()["results"]
    assert [m["actor"]["text"] for m in members] == ["bob", "carol", "dave", "erin"]
    page = client.get(reverse("django_signal_notifier_inbox:page") + f"?expand={item['id']}").content.decode()
    assert page.count('class="dsn-member ') == 4 and "bob and 3 others" in page


def test_the_unread_count_and_a_page_of_20_groups_take_at_most_3_queries(alice: Any) -> None:
    actor = get_user_model().objects.create_user("writer")
    rows = make_notifications(alice, 400, actor=actor)
    # 400 notifications in 40 groups of 10
    for index, row in enumerate(rows):
        row.group_key = f"g{index % 40}"
    Notification.objects.bulk_update(rows, ["group_key"])
    with CaptureQueriesContext(connection) as queries:
        count = Notification.objects.unread_entry_count(alice)
        page = entry_rows(alice, limit=20)
        attach_references(page)
    assert count == 40 and len(page) == 20
    assert all(row.entry.size == 10 for row in page)
    # the count, the page (rows, sizes, actors in one), one per content type with URLs (articles)
    assert len(queries) <= 3


def test_a_group_larger_than_the_slice_is_counted_whole_and_the_page_still_full(alice: Any) -> None:
    rows = make_notifications(alice, 260)
    # the newest 240 rows are one group: the first slice (200 rows) finds one group only
    for row in rows[20:]:
        row.group_key = "big"
    Notification.objects.bulk_update(rows, ["group_key"])
    page = entry_rows(alice, limit=20)
    assert [row.entry.size for row in page] == [240] + [1] * 19
    assert page[0].pk == rows[-1].pk and page[1].pk == rows[19].pk
    assert [row.pk for row in entry_rows(alice, limit=5, offset=20)] == [rows[0].pk]
    numbered = entries_page(alice, number=2, size=20)
    assert numbered.paginator.count == 21 and [row.pk for row in numbered.object_list] == [rows[0].pk]


def test_a_throttled_subscription_writes_one_inbox_row_per_window(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice, throttle_seconds=3600)
    _four_saves(run_on_commit)
    assert Notification.objects.filter(recipient=alice).count() == 1
    skipped = Delivery.objects.filter(recipient=alice, status=DeliveryStatus.SKIPPED)
    assert sorted(skipped.values_list("reason", flat=True)) == ["throttled"] * 3


def test_a_digest_subscription_collapses_its_window_into_one_entry(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice, digest_seconds=3600, group_by="none")
    bob, carol = _users("bob", "carol")
    with run_on_commit(), acting_as(bob):
        Article.objects.create(title="One", author=bob)
    with run_on_commit(), acting_as(carol):
        Article.objects.create(title="Two", author=carol)
    keys = set(Notification.objects.filter(recipient=alice).values_list("group_key", flat=True))
    assert len(keys) == 1 and next(iter(keys)).startswith("digest|")
    assert unread_count(alice) == 1


def test_the_template_tags_show_entries(alice: Any, run_on_commit: Any) -> None:
    _inbox(alice)
    _four_saves(run_on_commit)
    make_notifications(alice, 1)
    template = Template(
        "{% load signal_notifier %}[{% unread_notification_count %}]"
        "{% latest_entries 5 as entries %}{% for e in entries %}<{{ e.summary }}|{{ e.entry.size }}>{% endfor %}"
    )
    request = RequestFactory().get("/")
    request.user = alice
    html = template.render(Context({"request": request}))
    assert html.startswith("[2]")
    assert html.count("<") == 2 and "|4>" in html and "bob and 3 others " in html
