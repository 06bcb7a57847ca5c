"""The grouped inbox in a real browser: four saves of one article are one entry, expandable, read at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from django_signal_notifier import declare
from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.models import Notification
from tests.testapp.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_four_saves_by_four_users_are_one_entry_that_expands_and_is_read_at_once(
    new_page: Any, live_server: Any, screenshot: Any
) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", password="pw")
    erin, dave, carol, bob = (users.create_user(name) for name in ("erin", "dave", "carol", "bob"))
    trigger = declare.trigger("article-saved", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-alice", trigger=trigger, backends=[inbox], users=[alice])
    with acting_as(erin):
        article = Article.objects.create(title="Spring")  # committed: the fan-out runs at once
    for user in (dave, carol, bob):
        with acting_as(user):
            article.save()
    assert Notification.objects.filter(recipient=alice).count() == 4

    client = Client()
    client.force_login(alice)
    page = new_page()
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page.goto(f"{live_server.url}/inbox/")
    entries = page.locator(".dsn-list > li")
    assert entries.count() == 1
    entry = entries.first
    assert "bob and 3 others updated article “Spring” (4)" in entry.locator(".dsn-title").inner_text()
    badge = page.locator("[data-signal-notifier-badge]")
    assert badge.get_attribute("data-count") == "1"  # the badge counts entries, not notifications
    screenshot(page, "1-one-entry-for-four-saves")

    entry.locator(".dsn-expand").click()
    page.wait_for_selector(".dsn-members")
    members = page.locator(".dsn-member")
    assert members.count() == 4
    screenshot(page, "2-expanded")

    page.locator(".dsn-list > li .dsn-actions button", has_text="Mark as read").click()
    page.wait_for_selector(".dsn-list > li.read")
    assert page.locator("[data-signal-notifier-badge]").get_attribute("data-count") == "0"
    assert not Notification.objects.filter(recipient=alice, unread=True).exists()
    screenshot(page, "3-group-read")
