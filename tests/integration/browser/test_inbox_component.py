"""The drop-in web component on the demo site, in headless Chromium: feed, badge, read, snooze, mute.

Every action goes through the HTTP API with the session and its CSRF token, and is checked in
the database and again after a reload.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from blog.models import Article, Comment
from django_signal_notifier import notify
from django_signal_notifier.models import Mute, Notification
from tests.integration.browser.conftest import wait_for
from tests.integration.browser.test_demo_inbox import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]


def _comment(article: Any, author: Any, body: str) -> None:
    """A notification about a comment on ``article``: its thread (the target) is the article."""
    comment = Comment.objects.create(article=article, author=author, body=body)
    notify(
        "commented",
        recipients=article.author,
        actor=author,
        action_object=comment,
        target=article,
        subject=f"{author} commented on “{article}”",
        text=body,
    )


def _open_feed(page: Any) -> Any:
    page.click("#feed-badge")
    panel = page.locator("#feed-panel")
    page.wait_for_function("() => !document.querySelector('#feed-panel').hidden")
    page.wait_for_function(
        "() => document.querySelector('#feed-panel').shadowRoot.querySelector('.feed').getAttribute('aria-busy') === 'false'"
    )
    return panel


def test_component_renders_feed_and_badge_and_its_actions_persist(
    live_server: Any, new_page: Any, screenshot: Any, demo_site: None
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    bob = users.create_user("bob", "bob@example.com", "bob-password")
    first = Article.objects.create(author=alice, slug="first", title="First article", body="…")
    second = Article.objects.create(author=alice, slug="second", title="Second article", body="…")
    _comment(first, bob, "Nice one")
    _comment(second, bob, "Also nice")
    base = live_server.url

    page = new_page()
    log_in(page, base, "alice", "alice-password")
    badge = page.locator("#feed-badge")
    # The badge counts the unseen notifications, from the API.
    page.wait_for_function("() => document.querySelector('#feed-badge').dataset.count === '2'")
    assert badge.locator("button").get_attribute("aria-expanded") == "false"
    assert "2 new" in badge.locator("button").inner_text()

    panel = _open_feed(page)
    assert badge.locator("button").get_attribute("aria-expanded") == "true"
    entries = panel.locator("article")
    assert entries.count() == 2
    assert entries.nth(0).locator(".title").inner_text().startswith("Unread:")
    assert "bob commented on “Second article”" in entries.nth(0).inner_text()
    assert panel.locator("[role=feed]").get_attribute("aria-labelledby") == "sn-title"
    # Opening it saw them: the badge goes to zero, the rows are seen (not read).
    page.wait_for_function("() => document.querySelector('#feed-badge').dataset.count === '0'")
    assert not Notification.objects.filter(recipient=alice, seen_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=alice, unread=True).count() == 2
    screenshot(page, "1-feed-open")

    # Keyboard: the entries are reachable with the arrow keys, Escape closes and gives focus back.
    entries.nth(0).focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.querySelector('#feed-panel').shadowRoot.activeElement.dataset.id") == str(
        Notification.objects.get(recipient=alice, target_object_id=str(first.pk)).pk
    )
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('#feed-panel').hidden")
    assert badge.locator("button").get_attribute("aria-expanded") == "false"
    panel = _open_feed(page)

    # Mark read.
    about_second = Notification.objects.get(recipient=alice, target_object_id=str(second.pk))
    entry = panel.locator(f"article[data-id='{about_second.pk}']")
    entry.get_by_role("button", name="Mark as read").click()
    wait_for(lambda: not Notification.objects.get(pk=about_second.pk).unread)
    page.wait_for_function(
        f"() => document.querySelector('#feed-panel').shadowRoot.querySelector(\"article[data-id='{about_second.pk}']\").className === 'read'"
    )

    # Mute the second article's thread: the button turns into "Follow again", a mute row exists,
    # and the next comment on that article reaches alice on no channel.
    entry.get_by_role("button", name="Mute “Second article”").click()
    wait_for(lambda: Mute.objects.filter(user=alice, object_id=str(second.pk)).exists())
    entry.get_by_role("button", name="Follow again “Second article”").wait_for()
    _comment(second, bob, "Still there?")
    assert Notification.objects.filter(recipient=alice, target_object_id=str(second.pk)).count() == 1

    # Snooze the first: it leaves the feed, waits in the Snoozed folder, and stays snoozed.
    about_first = Notification.objects.get(recipient=alice, target_object_id=str(first.pk))
    panel.locator(f"article[data-id='{about_first.pk}'] select").select_option(label="For a week")
    wait_for(lambda: Notification.objects.get(pk=about_first.pk).snoozed_until is not None)
    snoozed_until = Notification.objects.get(pk=about_first.pk).snoozed_until
    assert snoozed_until is not None and snoozed_until > timezone.now() + timedelta(days=6)
    page.wait_for_function(
        f"() => !document.querySelector('#feed-panel').shadowRoot.querySelector(\"article[data-id='{about_first.pk}']\")"
    )
    screenshot(page, "2-after-actions")

    # After a reload, everything is as it was left.
    page.reload()
    panel = _open_feed(page)
    assert panel.locator("article").count() == 1
    kept = panel.locator(f"article[data-id='{about_second.pk}']")
    assert kept.get_attribute("class") == "read"
    assert kept.get_by_role("button", name="Follow again “Second article”").count() == 1
    panel.get_by_role("button", name="Snoozed").click()
    page.wait_for_function(
        f"() => !!document.querySelector('#feed-panel').shadowRoot.querySelector(\"article[data-id='{about_first.pk}']\")"
    )
    # Follow again: the mute is gone.
    panel.get_by_role("button", name="Inbox").click()
    panel.locator(f"article[data-id='{about_second.pk}']").get_by_role(
        "button", name="Follow again “Second article”"
    ).click()
    wait_for(lambda: not Mute.objects.filter(user=alice).exists())


def test_snoozed_and_expired_notifications_are_hidden_until_their_time(
    live_server: Any, new_page: Any, demo_site: None
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    bob = users.create_user("bob", "bob@example.com", "bob-password")
    titles = ["Shown", "Snoozed", "Expired", "Woken"]
    articles = {
        title: Article.objects.create(author=alice, slug=title.lower(), title=title, body="…") for title in titles
    }
    for title in titles:
        _comment(articles[title], bob, f"about {title}")
    rows = {
        title: Notification.objects.get(recipient=alice, target_object_id=str(articles[title].pk)) for title in titles
    }
    now = timezone.now()
    Notification.objects.filter(pk=rows["Snoozed"].pk).snooze(now + timedelta(hours=1), user=alice)
    Notification.objects.filter(pk=rows["Expired"].pk).update(expires_at=now - timedelta(minutes=1))
    Notification.objects.filter(pk=rows["Woken"].pk).update(snoozed_until=now - timedelta(minutes=1))
    base = live_server.url

    page = new_page()
    log_in(page, base, "alice", "alice-password")
    page.wait_for_function("() => document.querySelector('#feed-badge').dataset.count === '2'")
    panel = _open_feed(page)
    shown = sorted(re.findall(r"bob commented on “\w+”", panel.locator("[role=feed]").inner_text()))
    assert shown == ["bob commented on “Shown”", "bob commented on “Woken”"]

    # The package's own page hides them too, and lists the snoozed one in its folder.
    page.goto(f"{base}/notifications/")
    assert "“Snoozed”" not in page.inner_text(".dsn-list") and "“Expired”" not in page.inner_text(".dsn-list")
    page.goto(f"{base}/notifications/?show=snoozed")
    assert "“Snoozed”" in page.inner_text(".dsn-list")

    # Time passes: the snooze ends, and the notification is back.
    Notification.objects.filter(pk=rows["Snoozed"].pk).update(snoozed_until=timezone.now() - timedelta(seconds=1))
    page.goto(f"{base}/")
    panel = _open_feed(page)
    wait_for(lambda: panel.locator("article").count() == 3)
    assert "“Expired”" not in panel.inner_text()


def test_a_group_of_notifications_is_one_entry_that_expands_to_its_members(
    live_server: Any, new_page: Any, screenshot: Any, demo_site: None
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    article = Article.objects.create(author=alice, slug="photo", title="Photo", body="…")
    for name in ("erin", "carol", "dave", "bob"):
        actor = users.create_user(name, f"{name}@example.com", "pw")
        notify(
            "commented",
            recipients=alice,
            actor=actor,
            target=article,
            subject=f"{actor} commented on “{article}”",
            group_key=f"comments-{article.pk}",
        )
    _comment(
        Article.objects.create(author=alice, slug="other", title="Other", body="…"), users.get(username="bob"), "Hi"
    )
    newest = Notification.objects.filter(recipient=alice, target_object_id=str(article.pk)).order_by("-pk").first()
    assert newest is not None

    page = new_page()
    log_in(page, live_server.url, "alice", "alice-password")
    panel = _open_feed(page)
    entries = panel.locator("article")
    assert entries.count() == 2  # the group, and the other article's comment
    group = panel.locator(f"article[data-id='{newest.pk}']")
    assert "bob and 3 others commented on “Photo”" in group.locator(".title").inner_text()
    group.get_by_text("Show all 4").click()
    members = group.locator(".group li")
    wait_for(lambda: members.count() == 4 and "Loading" not in members.nth(0).inner_text())
    assert [members.nth(i).inner_text() for i in range(4)] == [
        f"{name} commented on “Photo”" for name in ("bob", "dave", "carol", "erin")
    ]
    screenshot(page, "3-group-expanded")

    # Read and archive act on the whole group, through the group's endpoints.
    group.get_by_role("button", name="Mark as read").click()
    wait_for(lambda: not Notification.objects.filter(recipient=alice, group_key=newest.group_key, unread=True).exists())
    page.wait_for_function(
        f"() => document.querySelector('#feed-panel').shadowRoot.querySelector(\"article[data-id='{newest.pk}']\").className === 'read'"
    )
    panel.locator(f"article[data-id='{newest.pk}']").get_by_role("button", name="Archive").click()
    wait_for(
        lambda: Notification.objects.filter(recipient=alice, group_key=newest.group_key, archived=True).count() == 4
    )
    wait_for(lambda: panel.locator("article").count() == 1)
