"""The preferences page and the unsubscribe confirmation, driven in headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from django_signal_notifier.delivery.unsubscribe import make_token
from django_signal_notifier.models import Preference
from tests.support.prefs import configure, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("DSN_REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is not installed and DSN_REQUIRE_SERVICES=1")
        pytest.skip("SKIPPED LOUDLY: chromium is not installed (make browser-setup)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context()
            yield context.new_page()
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connection (asgiref's
            # context-local storage): close it here, or it outlives the test database.
            connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_user_turns_a_channel_off_and_sees_mandatory_locked(page, live_server):
    ana = make_user("ana")
    comments = configure([ana], messengers=["EmailRecordingMessenger", "InSiteMessenger"], name="Comments")
    configure([ana], name="Security alerts", mandatory=True)
    sign_in(page, live_server, ana)

    page.goto(f"{live_server.url}/notifications/preferences/")
    locked = page.locator("tr.dsn-locked input[type=checkbox]")
    assert locked.is_disabled() and locked.is_checked()
    box = page.locator(f"input[name='pref:{comments.pk}:EmailRecordingMessenger']")
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()

    assert "Your notification preferences were saved." in page.content()
    assert not page.locator(f"input[name='pref:{comments.pk}:EmailRecordingMessenger']").is_checked()
    assert list(Preference.objects.values_list("user_id", "subscription_id", "channel", "enabled")) == [
        (ana.pk, comments.pk, "EmailRecordingMessenger", False)
    ]


def test_unsubscribe_link_asks_then_unsubscribes(page, live_server):
    ana = make_user("ana")
    subscription = configure([ana], name="Comments")
    token = make_token(ana.pk, subscription.pk, "EmailRecordingMessenger")

    page.goto(f"{live_server.url}/notifications/unsubscribe/{token}/")
    assert not Preference.objects.exists()
    page.get_by_role("button", name="Unsubscribe").click()

    assert page.locator("h1").inner_text() == "You are unsubscribed."
    assert Preference.objects.get().enabled is False
