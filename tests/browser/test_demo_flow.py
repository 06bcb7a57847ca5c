"""The demo's whole flow in two browsers: bob comments, alice's live badge counts it without a
reload, she reads it in the package's inbox, turns comment emails off on the preferences page,
and bob's next comment reaches her inbox but not her mailbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from blog.models import Article
from django_signal_notifier import declare
from django_signal_notifier.models import Delivery, DeliveryStatus, Notification
from django_signal_notifier.policies import OPTED_OUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]

BADGE = "#notifier-badge .signal-notifier-badge-count"
COMMENTS_ROW = 'tr:has-text("Blog: comments to the article\'s author")'


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(f"#username:has-text('{username}')")


def comment(page: Any, url: str, text: str) -> None:
    page.goto(url)
    page.fill("#comment-form textarea", text)
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector(f".comment:has-text('{text}')")


def wait_for_badge(page: Any, count: int) -> None:
    """Wait (15 s at most) until the badge shows ``count``; badge.js polls every 2 s in the demo."""
    page.wait_for_function(
        "([selector, count]) => document.querySelector(selector)?.textContent.trim() === count",
        arg=[BADGE, str(count)],
        timeout=15_000,
    )


def email_deliveries(user: Any) -> Any:
    return Delivery.objects.filter(recipient=user, channel="EmailMessenger").order_by("pk")


def test_live_badge_inbox_and_email_preference(
    live_server: Any, new_page: Any, screenshot: Any, demo_site: None
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    users.create_user("bob", "bob@example.com", "bob-password")
    article = Article.objects.create(author=alice, slug="hello", title="Hello from Alice", body="Comment, please.")
    declare.sync()  # the blog's notifications, as `manage.py signal_notifier sync` applies them
    base = live_server.url
    article_url = f"{base}{article.get_absolute_url()}"

    # alice opens the blog; the badge (the package's {% notification_badge %}) says 0.
    alice_page = new_page()
    log_in(alice_page, base, "alice", "alice-password")
    assert alice_page.get_attribute("#notifier-badge [data-signal-notifier-badge]", "data-interval") == "2"
    assert alice_page.inner_text(BADGE) == "0"
    alice_page.evaluate("window.loadedOnce = true")  # gone if the page were reloaded
    screenshot(alice_page, "1-badge-before")

    # bob comments on her article in another browser context.
    bob_page = new_page()
    log_in(bob_page, base, "bob", "bob-password")
    comment(bob_page, article_url, "Nice post, Alice!")

    # alice's badge counts it while she stays on the same page.
    wait_for_badge(alice_page, 1)
    assert alice_page.evaluate("window.loadedOnce") is True
    screenshot(alice_page, "2-badge-after")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert email_deliveries(alice).get().status == DeliveryStatus.SENT

    # The badge links to the package's inbox page, shown in the blog's layout.
    alice_page.click("#notifier-badge a")
    alice_page.wait_for_selector(".signal-notifier-inbox")
    unread = alice_page.locator(".signal-notifier-list li.unread")
    assert unread.count() == 1
    assert "bob commented on “Hello from Alice”" in unread.inner_text()
    assert "Nice post, Alice!" in unread.inner_text()
    screenshot(alice_page, "3-inbox-unread")

    unread.locator("button:has-text('Mark as read')").click()
    alice_page.wait_for_selector(".signal-notifier-list li.read")
    assert alice_page.locator(".signal-notifier-list li.unread").count() == 0
    assert alice_page.inner_text(BADGE) == "0"
    assert Notification.objects.unread_count(alice) == 0
    screenshot(alice_page, "4-inbox-read")

    # Preferences: no more emails about comments; the inbox keeps them.
    alice_page.click("#preferences-link")
    row = alice_page.locator(COMMENTS_ROW)
    row.locator("input[name$=':EmailMessenger']").uncheck()
    assert row.locator("input[name$=':InSiteMessenger']").is_checked()
    alice_page.click("#preferences-form button[type=submit]")
    alice_page.wait_for_selector(".messages:has-text('preferences were saved')")
    assert not alice_page.locator(COMMENTS_ROW).locator("input[name$=':EmailMessenger']").is_checked()
    assert alice_page.locator("tr:has-text('All notifications') input[name$=':EmailMessenger']").is_checked()
    alice_page.evaluate("window.loadedOnce = true")
    screenshot(alice_page, "5-preferences-saved")

    comment(bob_page, article_url, "Another one")
    wait_for_badge(alice_page, 1)  # the inbox still gets it, live
    assert alice_page.evaluate("window.loadedOnce") is True
    second = email_deliveries(alice).last()
    assert second is not None
    assert (second.status, second.reason) == (DeliveryStatus.SKIPPED, OPTED_OUT)
    assert len(mail.outbox) == 1  # no second email
    assert "Another one" in Notification.objects.for_user(alice).unread().get().body
    assert Notification.objects.for_user(alice).count() == 2
