"""The package's pages as a user sees them, in headless Chromium, with screenshots.

Without any CSS of the project (the package's own layout, as in a new project) and inside the
demo's layout: the inbox with unread and read items, the badge at 0 and above, the preferences
page, and the demo's home page on a 390 px phone screen. The assertions read computed styles and
geometry, the things a screenshot shows: a marker for unread rather than bold text everywhere,
checkboxes in fixed columns, nothing wider than the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from blog.models import Article, Comment
from django_signal_notifier import declare
from django_signal_notifier.delivery.unsubscribe import make_token
from django_signal_notifier.models import Notification, Subscription
from tests.inbox.conftest import make_notifications
from tests.integration.browser.test_demo_flow import log_in
from tests.support.prefs import configure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def signed_in(page: Any, base_url: str, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    return page


def style(page: Any, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"(e) => getComputedStyle(e).getPropertyValue('{prop}')"))


def overflows(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"))


def phone_page(chromium: Any) -> Any:
    context = chromium.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def test_the_inbox_reads_well_without_any_css_of_the_project(
    live_server: Any, new_page: Callable[[], Any], chromium: Any, screenshot: Any
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "pw")
    bob = users.create_user("Bob Marley", "bob@example.com", "pw")
    rows = make_notifications(alice, 3, actor=bob)
    Notification.objects.filter(pk=rows[0].pk).update(unread=False, created_at=timezone.now() - timedelta(days=2))
    Notification.objects.filter(pk=rows[2].pk).update(
        body="Read it on the site: https://example.com/articles/7/", created_at=timezone.now() - timedelta(minutes=4)
    )
    page = signed_in(new_page(), live_server.url, alice)

    page.goto(f"{live_server.url}/inbox/")
    screenshot(page, "inbox-unread-and-read")

    unread, read = f"#notification-{rows[2].pk}", f"#notification-{rows[0].pk}"
    assert style(page, "body", "font-family").startswith("system-ui")  # not the browser's serif
    assert style(page, unread, "background-color") != style(page, read, "background-color")
    assert page.is_visible(f"{unread} .dsn-dot") and not page.locator(f"{read} .dsn-dot").count()
    assert style(page, f"{unread} .dsn-title", "font-weight") == "600"
    assert style(page, f"{unread} .dsn-body", "font-weight") == "400"  # a marker, not bold everywhere
    assert style(page, f"{read} .dsn-title", "font-weight") == "500"
    assert page.inner_text(f"{unread} .dsn-avatar") == "BM"
    assert page.inner_text(f"{unread} time") == "4\xa0minutes ago"
    assert page.inner_text(f"{read} time") == "2\xa0days ago"
    assert page.get_attribute(f"{unread} .dsn-body a", "href") == "https://example.com/articles/7/"
    count = page.locator(".dsn-tabs [data-signal-notifier-badge]")
    assert count.is_visible() and count.inner_text().startswith("2")
    assert not overflows(page)

    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_selector(".dsn-item.unread", state="detached")
    assert count.is_hidden()  # no "0" pill
    screenshot(page, "inbox-all-read")

    phone = signed_in(phone_page(chromium), live_server.url, alice)
    phone.goto(f"{live_server.url}/inbox/")
    assert not overflows(phone)
    screenshot(phone, "inbox-phone")
    phone.context.close()


def test_the_preferences_page_has_one_fixed_column_per_channel(
    live_server: Any, new_page: Callable[[], Any], screenshot: Any
) -> None:
    ana = get_user_model().objects.create_user("ana", "ana@example.com", "pw")
    configure([ana], messengers=["InSiteMessenger", "EmailRecordingMessenger"], name="Comments on your articles")
    configure([ana], messengers=["EmailRecordingMessenger", "InSiteMessenger"], name="Weekly digest")
    configure([ana], messengers=["InSiteMessenger"], name="New followers")
    configure([ana], name="Security alerts", mandatory=True)
    page = signed_in(new_page(), live_server.url, ana)

    page.goto(f"{live_server.url}/notifications/preferences/")
    screenshot(page, "preferences")

    assert style(page, "body", "font-family").startswith("system-ui")
    header = page.locator("thead th.dsn-check")
    assert header.count() == 2
    columns = [header.nth(i).bounding_box() for i in range(2)]
    for row in page.locator("tbody tr").all():
        cells = row.locator("td.dsn-check")
        assert cells.count() == 2  # every row, every column, even where the channel is not used
        for i in range(2):
            box = cells.nth(i).bounding_box()
            assert abs(box["x"] - columns[i]["x"]) < 1 and abs(box["width"] - columns[i]["width"]) < 1
    followers = page.locator("tr:has-text('New followers')")
    assert followers.locator("input[type=checkbox]").count() == 1 and followers.locator(".dsn-none").count() == 1
    locked = page.locator("tr.dsn-locked input[type=checkbox]")
    assert locked.is_disabled() and locked.is_checked()

    page.locator("tr:has-text('Weekly digest') input[type=checkbox]").first.uncheck()
    page.click("#preferences-form button[type=submit]")
    page.wait_for_selector(".dsn-messages:has-text('preferences were saved')")
    screenshot(page, "preferences-saved")

    # The one-click unsubscribe page an email links to, opened without signing in.
    weekly = Subscription.objects.get(name="Weekly digest")
    anonymous = new_page()
    anonymous.goto(f"{live_server.url}/notifications/unsubscribe/{make_token(ana.pk, weekly.pk, 'InSiteMessenger')}/")
    assert style(anonymous, "body", "font-family").startswith("system-ui")
    screenshot(anonymous, "unsubscribe-confirm")
    anonymous.get_by_role("button", name="Unsubscribe").click()
    anonymous.wait_for_selector("h1:has-text('You are unsubscribed.')")
    screenshot(anonymous, "unsubscribe-done")


@pytest.mark.urls("demo.urls")
def test_the_demo_inbox_badge_preferences_and_home_on_a_phone(
    live_server: Any, new_page: Callable[[], Any], chromium: Any, screenshot: Any, demo_site: None
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    bob = users.create_user("bob", "bob@example.com", "bob-password")
    article = Article.objects.create(author=alice, slug="hello", title="Hello from Alice", body="Comment, please.")
    declare.sync()  # the blog's notifications
    Comment.objects.create(article=article, author=bob, body="Welcome, Alice! This put a notification in your inbox.")
    # Comments are grouped by article in the demo: the second goes on another one, a second entry.
    second = Article.objects.create(author=alice, slug="again", title="Alice again", body="More.")
    Comment.objects.create(article=second, author=bob, body="And a second one.")
    base = live_server.url

    page = new_page()
    log_in(page, base, "alice", "alice-password")
    badge = page.locator("#notifier-badge .signal-notifier-badge")
    assert badge.is_visible() and badge.inner_text().startswith("2")
    assert style(page, "#notifier-badge a", "text-decoration-line") in ("underline", "none")
    page.click("#notifier-badge a")
    page.wait_for_selector(".dsn-inbox")
    page.locator(".dsn-item.unread button:has-text('Mark as read')").last.click()
    page.wait_for_selector(".dsn-item.read")
    assert page.locator(".dsn-item.unread").count() == 1
    assert "in alice" not in page.inner_text(".dsn-inbox")  # the reader is no place
    screenshot(page, "demo-inbox-unread-and-read")

    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_selector(".dsn-item.unread", state="detached")
    assert badge.is_hidden()  # the badge says nothing at 0, instead of a red "0"
    screenshot(page, "demo-inbox-badge-zero")

    page.click("#preferences-link")
    page.wait_for_selector("#preferences-form")
    labels = page.locator("tbody th").all_inner_texts()
    assert any("new followers" in label for label in labels)  # reached through a dynamic receiver
    screenshot(page, "demo-preferences")

    anonymous = phone_page(chromium)
    anonymous.goto(f"{base}/")
    assert anonymous.is_visible("#intro") and "log in as alice" in anonymous.inner_text("#intro").lower()
    assert not overflows(anonymous)
    screenshot(anonymous, "demo-home-phone-anonymous")
    anonymous.context.close()

    phone = phone_page(chromium)
    log_in(phone, base, "alice", "alice-password")
    phone.goto(f"{base}/")
    assert not overflows(phone)
    header = phone.eval_on_selector("body > header", "(e) => e.getBoundingClientRect().right")
    assert header <= PHONE["width"]
    screenshot(phone, "demo-home-phone-alice")
    phone.goto(f"{base}/notifications/")
    assert not overflows(phone)
    screenshot(phone, "demo-inbox-phone")
    phone.goto(f"{base}/notifications/preferences/")
    assert not overflows(phone)
    screenshot(phone, "demo-preferences-phone")
    phone.context.close()
