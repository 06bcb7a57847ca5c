"""The live badge in a real browser: headless Chromium polls, gets 304s, then shows a new count."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from django_signal_notifier import declare
from tests.conftest import REQUIRE_SERVICES
from tests.testapp.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if CHROMIUM is None:
        message = "SKIPPED LOUDLY: chromium is not installed (make browser-setup)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls of the test are
    # still synchronous code, run between browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_context()
        finally:
            browser.close()
            # The ORM calls made while Playwright's loop runs get their own connection (Django
            # keeps connections per async context): close it, or the test database cannot be dropped.
            connections.close_all()


def test_badge_updates_live_and_mark_read_form_works(browser_page: Any, live_server: Any, settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "INBOX_POLL_INTERVAL": 1}
    alice = get_user_model().objects.create_user("alice", password="pw")
    trigger = declare.trigger("article-created", verb="post_save", model="testapp.Article")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-alice", trigger=trigger, backends=[inbox], users=[alice])
    Article.objects.create(title="First")  # committed: the fan-out runs at once

    client = Client()
    client.force_login(alice)
    context = browser_page
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/unread-count/" in r.url else None)

    page.goto(f"{live_server.url}/inbox/")
    badge = page.locator("[data-signal-notifier-badge]")
    assert badge.get_attribute("data-count") == "1"
    # Polling starts: the first answer is 200 (with an ETag), then 304s while nothing changes.
    page.wait_for_function("() => window.signalNotifierBadge && window.signalNotifierBadge.badges", timeout=10_000)
    page.wait_for_event("response", lambda r: "/unread-count/" in r.url and r.status == 304, timeout=15_000)

    Article.objects.create(title="Second")
    page.wait_for_function(
        "() => document.querySelector('[data-signal-notifier-badge]').dataset.count === '2'", timeout=15_000
    )
    assert badge.locator(".signal-notifier-badge-count").inner_text() == "2"
    assert 304 in statuses

    # Without JavaScript's help: the mark-as-read button is a plain POST form.
    page.reload()
    page.get_by_role("button", name="Mark as read").first.click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    assert page.locator("li.unread").count() == 1
