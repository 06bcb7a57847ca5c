"""The demo's flow in several browsers: bob comments, alice's live badge counts it without a
reload, she reads it in the package's inbox, turns comment emails off on the preferences page,
and bob's next comment reaches her inbox but not her mailbox; the admin subscribes to comments
in the admin and his badge counts the next one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from blog.models import Article, Comment
from django_signal_notifier import declare
from django_signal_notifier.fanout.policies import OPTED_OUT
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Notification, Subscription, Trigger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]

BADGE = "#notifier-badge .signal-notifier-badge-count"
COMMENTS_ROW = 'tr:has-text("Blog: comments to the article\'s author")'


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(f"#username:has-text('{username}')")


def log_in_admin(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


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


def test_admin_subscribes_to_every_comment_in_the_admin_and_sees_it_fire(
    live_server: Any, new_page: Any, screenshot: Any, demo_site: None
) -> None:
    """The admin adds a trigger and a subscription in the admin; bob's comment then reaches the admin."""
    users = get_user_model().objects
    admin = users.create_superuser("admin", "admin@example.com", "admin-password")
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    users.create_user("bob", "bob@example.com", "bob-password")
    article = Article.objects.create(author=alice, slug="hello", title="Hello from Alice", body="Comment, please.")
    declare.sync()
    inbox_backend = Backend.objects.get(key="blog-inbox")  # declared in code, chosen in the admin
    base = live_server.url

    admin_page = new_page()
    log_in_admin(admin_page, base)
    admin_page.goto(f"{base}/admin/django_signal_notifier/trigger/add/")
    admin_page.fill("#id_name", "Any comment")
    admin_page.select_option("#id_verb", "comment_posted")
    admin_page.select_option("#id_action_object_content_type", str(ContentType.objects.get_for_model(Comment).pk))
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success")
    trigger = Trigger.objects.get(name="Any comment")

    admin_page.goto(f"{base}/admin/django_signal_notifier/subscription/add/")
    admin_page.fill("#id_name", "Every comment to the admin")
    admin_page.select_option("#id_trigger", str(trigger.pk))
    admin_page.select_option("#id_backends_from", str(inbox_backend.pk))
    admin_page.click("#id_backends_add")
    admin_page.select_option("#id_receiver_users_from", str(admin.pk))
    admin_page.click("#id_receiver_users_add")
    screenshot(admin_page, "1-subscription-form")
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success")

    admin_page.goto(f"{base}/")
    assert admin_page.inner_text(BADGE) == "0"
    admin_page.evaluate("window.loadedOnce = true")

    bob_page = new_page()
    log_in(bob_page, base, "bob", "bob-password")
    comment(bob_page, f"{base}{article.get_absolute_url()}", "Hello, everyone")

    wait_for_badge(admin_page, 1)  # it fired: the admin's badge counts it, without a reload
    assert admin_page.evaluate("window.loadedOnce") is True
    screenshot(admin_page, "2-admin-badge")
    assert Notification.objects.for_user(admin).get().title == "bob commented on “Hello from Alice”"
    assert Notification.objects.for_user(alice).count() == 1  # the declared subscription still works
    # The in-site channel writes Notification rows inline (no Delivery row): only the subscription
    # made in the admin lists the admin, so this notification is its doing.
    subscription = Subscription.objects.get(name="Every comment to the admin")
    assert (subscription.trigger, list(subscription.backends.all())) == (trigger, [inbox_backend])
