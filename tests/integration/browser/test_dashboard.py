"""The operator's dashboard in a real browser, on the demo's data: ``demo_setup``, then the blog in use
(comments emailed to the author, some while the mail server refuses connections, and the 0.2.1
quickstart's printed messages), spread over the last day as a day of use would be.

The screenshot is test-artifacts/screenshots/test_dashboard_on_the_demos_data-dashboard.png.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F

from blog.models import Article, Comment
from django_signal_notifier.models import Delivery, DeliveryStatus
from django_signal_notifier.quickstart.models import TestModel1

HOUR_AND_A_HALF = timedelta(minutes=90)  # twelve rounds: the last 18 hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]


def closed_port() -> int:
    """A loopback port nothing listens on: the mail server is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def a_day_of_use(settings: Any) -> None:
    """Comments on the demo's articles through the real pipeline, a third of them while SMTP is down."""
    users = get_user_model().objects
    bob, alice = users.get(username="bob"), users.get(username="alice")
    hello = Article.objects.get(slug="hello-from-alice")
    signals = Article.objects.get(slug="signals-are-events")
    for i in range(12):
        Comment.objects.create(article=hello, author=bob, body=f"Comment {i} on Alice's article")
        Comment.objects.create(article=signals, author=alice, body=f"Reply {i} to Bob")
        TestModel1.objects.create(name=f"quickstart {i}", extra_field="extra")
        Delivery.objects.update(created_at=F("created_at") - HOUR_AND_A_HALF, sent_at=F("sent_at") - HOUR_AND_A_HALF)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "MAX_ATTEMPTS": 1}
    for i in range(3):
        Comment.objects.create(article=hello, author=bob, body=f"Comment {i} while the mail server is down")
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "MAX_ATTEMPTS": 5}
    for i in range(4):
        Comment.objects.create(article=signals, author=alice, body=f"Reply {i} while the mail server is down")


def test_dashboard_on_the_demos_data(
    live_server: Any, new_page: Any, screenshot: Any, demo_site: None, settings: Any
) -> None:
    call_command("demo_setup", stdout=StringIO())
    a_day_of_use(settings)
    email = Delivery.objects.filter(channel="EmailMessenger")
    assert email.filter(status=DeliveryStatus.SENT).count() == 26  # demo_setup's two and 24 comments
    assert email.filter(status=DeliveryStatus.DEAD).count() == 3
    assert email.filter(status=DeliveryStatus.FAILED).count() == 4

    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")  # demo_setup's login
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.click("#content-main .app-django_signal_notifier a[href$='/dashboard/']")
    page.wait_for_selector(".dsn-dashboard")

    email_chart = page.locator("figure.dsn-channel", has_text="EmailMessenger")
    caption = email_chart.locator("figcaption").inner_text()
    assert "33:" in caption and "26 sent" in caption and "3 dead (gave up)" in caption
    assert "4 failed (will retry)" in caption
    assert email_chart.locator("rect.dsn-cross").count() == 1  # the dead ones, in the last bucket
    assert email_chart.locator("rect.dsn-solid").count() >= 2  # sent in several buckets
    legend = page.inner_text(".dsn-legend")
    assert all(label in legend for label in ("sent", "failed (will retry)", "dead (gave up)", "skipped"))
    assert "Connection refused" in page.inner_text(".dsn-errors")
    assert "EmailMessenger" in page.inner_text(".dsn-slowest")
    assert page.inner_text(".dsn-backlog a[href*='status__exact=dead']") == "3"
    screenshot(page, "dashboard")

    page.click(".dsn-errors tbody tr:first-child td.dsn-figure a")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 7  # three dead, four failed: the same error

    page.goto(f"{live_server.url}/admin/django_signal_notifier/dashboard/?window=6h")
    assert page.locator(".dsn-windows strong").inner_text() == "last 6 hours"
    screenshot(page, "dashboard-6h")
