"""The realtime inbox in Chromium against a real uvicorn process on PostgreSQL.

bob comments and alice's open page shows it without polling (no request to the count or list
endpoints at all); the server is restarted while a notification is written, and her page resumes
with Last-Event-ID and shows it; bob's own notifications never reach her stream.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from blog.models import Article, Comment
from django_signal_notifier import declare
from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.models import Notification
from tests.integration.browser.test_demo_flow import BADGE, comment, log_in, wait_for_badge

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("demo.urls"),
]
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Uvicorn:
    """``uvicorn tests.realtime.site_asgi:application`` on loopback, stopped and started at will."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.realtime.site_settings",
            "DSN_TEST_DB": "postgres",
            "DSN_PG_NAME": str(connection.settings_dict["NAME"]),
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "uvicorn", "tests.realtime.site_asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        # Open streams never finish by themselves: a stop must not wait for them.
        command += ["--timeout-graceful-shutdown", "1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"uvicorn exited: {self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("uvicorn did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def server(postgres: None, tmp_path: Path) -> Iterator[Uvicorn]:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (DSN_TEST_DB=postgres): uvicorn shares the test database")
    uvicorn = Uvicorn(_free_port(), tmp_path / "uvicorn.log")
    uvicorn.start()
    try:
        yield uvicorn
    finally:
        uvicorn.stop()


STREAM_OPEN = "() => (window.signalNotifierBadge.sources || []).some(s => s.readyState === 1)"
RECORD_EVENTS = """() => {
  window.streamed = [];
  for (const source of window.signalNotifierBadge.sources) {
    for (const kind of ["notification", "count", "read", "archived", "changed", "reset"]) {
      source.addEventListener(kind, (event) => window.streamed.push({kind, id: event.lastEventId, data: event.data}));
    }
  }
}"""


def test_live_inbox_without_polling_resumes_after_a_restart(server: Uvicorn, new_page: Any, demo_site: None) -> None:
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", "alice-password")
    bob = users.create_user("bob", "bob@example.com", "bob-password")
    article = Article.objects.create(author=alice, slug="hello", title="Hello from Alice", body="Comment, please.")
    bobs_article = Article.objects.create(author=bob, slug="bobs", title="Bob's own", body="Mine.")
    # The demo groups comments by article: the comment written while the server is down goes on
    # another article of alice's, so it is an entry of its own (the badge counts entries).
    second_article = Article.objects.create(author=alice, slug="second", title="Alice again", body="More.")
    declare.sync()
    base = server.url

    page = new_page()
    log_in(page, base, "alice", "alice-password")
    page.goto(f"{base}/notifications/")
    page.wait_for_function(STREAM_OPEN, timeout=15_000)
    assert page.get_attribute("#notifier-badge [data-signal-notifier-badge]", "data-stream")
    page.evaluate(RECORD_EVENTS)
    page.evaluate("window.loadedOnce = true")
    polled: list[str] = []
    streams: list[Any] = []
    page.on(
        "request",
        lambda r: polled.append(r.url) if "/unread-count/" in r.url or "/api/notifications/" in r.url else None,
    )
    page.on("request", lambda r: streams.append(r) if "/api/stream/" in r.url else None)

    # bob comments: alice's page shows it, live, in the list and the badge.
    bob_page = new_page()
    log_in(bob_page, base, "bob", "bob-password")
    comment(bob_page, f"{base}{article.get_absolute_url()}", "Live from bob")
    first = Notification.objects.get(recipient=alice)
    page.wait_for_selector(f"#notification-{first.pk}:has-text('bob commented on')", timeout=5_000)
    wait_for_badge(page, 1)

    # bob's own notification (alice comments on his article) goes through the same pub/sub.
    with acting_as(alice):
        Comment.objects.create(article=bobs_article, author=alice, body="For bob only")
    bobs = Notification.objects.get(recipient=bob)

    time.sleep(3)  # three poll intervals: polling would have asked at least twice by now
    assert polled == []

    # The server goes away; a comment is written meanwhile; the page resumes where it stopped.
    server.stop()
    with acting_as(bob):
        Comment.objects.create(article=second_article, author=bob, body="Written while the server was down")
    missed = Notification.objects.filter(recipient=alice).latest("pk")
    time.sleep(1)
    server.start()
    page.wait_for_selector(f"#notification-{missed.pk}:has-text('bob commented on')", timeout=20_000)
    wait_for_badge(page, 2)
    assert page.evaluate("window.loadedOnce") is True  # no reload: the same page, live
    resumed = [r.all_headers().get("last-event-id") for r in streams]
    assert str(first.pk) in resumed, resumed
    assert polled == []

    streamed = page.evaluate("window.streamed")
    ids = {int(event["id"]) for event in streamed if event["id"]}
    assert bobs.pk not in ids
    assert all("For bob only" not in event["data"] for event in streamed)
    assert [e["kind"] for e in streamed if e["kind"] == "notification"] == ["notification", "notification"]
    assert page.locator(BADGE).inner_text() == "2"
