"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

Without Chromium the tests skip loudly (``make browser-setup`` installs it); under
``DSN_REQUIRE_SERVICES=1`` (CI) they fail instead. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.conftest import REQUIRE_SERVICES

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or the executable named by ``DSN_CHROMIUM``; None when absent."""
    override = os.environ.get("DSN_CHROMIUM")
    candidates = [override] if override else [shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def require_chromium() -> str:
    path = chromium_path()
    if path is not None:
        return path
    message = "chromium is not installed (run `make browser-setup` or `apt-get install chromium`)"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and DSN_REQUIRE_SERVICES=1: the browser tests are required here.")
    pytest.skip(f"SKIPPED LOUDLY: {message}.")


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless Chromium for one test.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started, so
    it lives only as long as the test (the rest of the suite must not see that loop), and the
    ORM calls the test makes between browser steps are allowed explicitly.
    """
    executable = require_chromium()
    try:
        from playwright import sync_api
    except ImportError:
        if REQUIRE_SERVICES:
            pytest.fail("playwright is not installed and DSN_REQUIRE_SERVICES=1: pip install -e . --group test.")
        pytest.skip("SKIPPED LOUDLY: playwright is not installed (pip install -e . --group test).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # With Playwright's loop running, asgiref gave the test's ORM calls connections of their
            # own context; close them here, or PostgreSQL cannot drop the test database at the end.
            connections.close_all()


@pytest.fixture
def new_page(chromium: Any) -> Iterator[Callable[[], Any]]:
    """Open pages in fresh browser contexts (separate cookies: one per signed-in user)."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = chromium.new_context(viewport={"width": 1100, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """``screenshot(page, "step")`` writes test-artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page: Any, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@pytest.fixture
def demo_site(settings: Any) -> None:
    """The demo's own settings on top of the test settings: its template overrides and poll interval.

    The inbox cache is emptied too: ids of users flushed by an earlier test come back, and a
    count cached for them then would be shown before the first write bumps it.
    """
    from demo import settings as demo_settings
    from django_signal_notifier.inbox.cache import inbox_cache

    settings.TEMPLATES = demo_settings.TEMPLATES
    settings.SIGNAL_NOTIFIER = {
        **settings.SIGNAL_NOTIFIER,
        "INBOX_POLL_INTERVAL": demo_settings.SIGNAL_NOTIFIER["INBOX_POLL_INTERVAL"],
    }
    inbox_cache().clear()
