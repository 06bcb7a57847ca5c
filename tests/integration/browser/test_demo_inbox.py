"""On the demo site, bob comments on alice's article and alice finds the notification in her inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from blog.models import Article, Comment
from django_signal_notifier import declare
from django_signal_notifier.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(f"#username:has-text('{username}')")


def test_comment_reaches_the_authors_inbox(live_server: Any, new_page: Any, screenshot: Any) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    users.create_user("bob", "bob@example.com", "bob-password")
    article = Article.objects.create(author=alice, slug="hello", title="Hello from Alice", body="Comment, please.")
    declare.sync()  # the blog's notifications, as `manage.py signal_notifier sync` applies them
    base = live_server.url

    alice_page = new_page()
    log_in(alice_page, base, "alice", "alice-password")
    assert alice_page.locator("#unread-count").count() == 0
    alice_page.goto(f"{base}/inbox/")
    assert "No notifications yet" in alice_page.inner_text("#notifications")
    screenshot(alice_page, "1-alice-empty-inbox")

    bob_page = new_page()
    log_in(bob_page, base, "bob", "bob-password")
    bob_page.goto(f"{base}{article.get_absolute_url()}")
    bob_page.fill("#comment-form textarea", "Nice post, Alice!")
    bob_page.click("#comment-form button[type=submit]")
    bob_page.wait_for_selector(".comment:has-text('Nice post, Alice!')")
    screenshot(bob_page, "2-bob-commented")
    assert Comment.objects.filter(article=article, author__username="bob").count() == 1

    # The notification is alice's, and only hers.
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert not Notification.objects.exclude(recipient=alice).exists()

    alice_page.goto(f"{base}/inbox/")
    assert alice_page.inner_text("#unread-count") == "1"
    notification = alice_page.locator(".notification.unread")
    assert notification.count() == 1
    assert "bob commented on “Hello from Alice”" in notification.inner_text()
    assert "Nice post, Alice!" in notification.inner_text()
    screenshot(alice_page, "3-alice-inbox-with-badge")

    alice_page.click("#mark-all-read")
    alice_page.wait_for_selector(".notification:not(.unread)")
    assert alice_page.locator("#unread-count").count() == 0
    assert Notification.objects.unread_count(alice) == 0

    # The notification links to the comment on the article.
    alice_page.click(".notification a")
    alice_page.wait_for_selector("#comment-form")
    assert alice_page.url.endswith(f"{article.get_absolute_url()}#comment-{Comment.objects.get().pk}")
    screenshot(alice_page, "4-alice-follows-the-link")
