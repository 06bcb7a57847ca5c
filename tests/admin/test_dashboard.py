"""The operator's dashboard: its figures on known rows, its links into the delivery log, who may
see it, and a number of queries that does not grow with the deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_signal_notifier.admin.dashboard_figures import current_period, latencies
from django_signal_notifier.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/django_signal_notifier/dashboard/"


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@example.test", "pw"))
    return client


def delivery(
    channel: str,
    status: str,
    age: timedelta,
    latency: float | None = None,
    error: str = "",
    now: datetime | None = None,
) -> Delivery:
    created = (now or timezone.now()) - age
    event = Event.objects.create(verb="post_save")
    return Delivery.objects.create(
        event=event,
        channel=channel,
        status=status,
        created_at=created,
        sent_at=created + timedelta(seconds=latency) if latency is not None else None,
        last_error=error,
    )


@pytest.fixture
def known_rows() -> None:
    """Email: ten sent (1..10 s), two dead and one failed; Slack: one sent (30 s), one skipped; one row of last week."""
    for seconds in range(1, 11):
        delivery("EmailMessenger", DeliveryStatus.SENT, timedelta(hours=1), latency=seconds)
    delivery("EmailMessenger", DeliveryStatus.DEAD, timedelta(hours=2), error="no such mailbox: ada")
    delivery("EmailMessenger", DeliveryStatus.DEAD, timedelta(hours=3), error="no such mailbox: ada")
    delivery("EmailMessenger", DeliveryStatus.FAILED, timedelta(hours=20), error="connection refused")
    delivery("SlackMessenger", DeliveryStatus.SENT, timedelta(minutes=5), latency=30)
    delivery("SlackMessenger", DeliveryStatus.SKIPPED, timedelta(minutes=5))
    delivery("SlackMessenger", DeliveryStatus.DEAD, timedelta(days=3), error="channel_not_found")


def test_figures_of_the_last_24_hours(admin_client_: Client, known_rows: None) -> None:
    response = admin_client_.get(DASHBOARD)
    assert response.status_code == 200
    context = response.context
    totals = {row.channel: {s: n for s, _label, n, _url in row.statuses} for row in context["channels"]}
    assert totals == {
        "EmailMessenger": {"sent": 10, "failed": 1, "dead": 2},
        "SlackMessenger": {"sent": 1, "skipped": 1},
    }
    assert context["window_total"] == 15
    slowest = [
        (s["latency"].channel, s["latency"].median, s["latency"].p95, s["latency"].sent) for s in context["slowest"]
    ]
    assert slowest == [("SlackMessenger", 30.0, 30.0, 1), ("EmailMessenger", 5.0, 10.0, 10)]
    errors = [(e["error"].count, e["error"].channel, e["error"].error) for e in context["errors"]]
    assert errors == [(2, "EmailMessenger", "no such mailbox: ada"), (1, "EmailMessenger", "connection refused")]
    backlog = {item["label"]: item["value"] for item in context["backlog"] if "label" in item}
    assert backlog["Dead (gave up)"] == 3 and backlog["Failed, will retry"] == 1


def test_the_window_is_chosen_in_the_url(admin_client_: Client, known_rows: None) -> None:
    six_hours = admin_client_.get(DASHBOARD, {"window": "6h"}).context
    assert six_hours["window_total"] == 14  # the failure of 20 h ago is out
    assert [e["error"].error for e in six_hours["errors"]] == ["no such mailbox: ada"]
    week = admin_client_.get(DASHBOARD, {"window": "7d"}).context
    assert week["window_total"] == 16
    unknown = admin_client_.get(DASHBOARD, {"window": "forever"})
    assert unknown.status_code == 200
    assert unknown.context["period"].window.key == "24h"
    assert "“forever” is not a window this page knows" in unknown.content.decode()


def test_chart_draws_each_status_with_its_pattern_and_figure(admin_client_: Client, known_rows: None) -> None:
    context = admin_client_.get(DASHBOARD).context
    email = next(row for row in context["channels"] if row.channel == "EmailMessenger")
    by_status: dict[str, int] = {}
    for segment in email.chart.segments:
        by_status[segment.status] = by_status.get(segment.status, 0) + int(segment.title.split(": ")[1].split()[0])
    assert by_status == {"sent": 10, "failed": 1, "dead": 2}
    assert {s.pattern for s in email.chart.segments} == {"solid", "hatch", "cross"}
    assert email.chart.maximum == 10  # the busiest bucket reaches the top
    tallest = max(email.chart.segments, key=lambda s: s.height)
    assert tallest.y == 8 and tallest.status == "sent"
    html = admin_client_.get(DASHBOARD).content.decode()
    assert "dead (gave up)" in html and "<title>" in html and 'role="img"' in html


def test_each_figure_links_to_the_rows_it_counts(admin_client_: Client, known_rows: None) -> None:
    context = admin_client_.get(DASHBOARD).context
    email = next(row for row in context["channels"] if row.channel == "EmailMessenger")
    links = {status: (count, url) for status, _label, count, url in email.statuses}
    for status, (count, url) in links.items():
        listed = admin_client_.get(url)
        assert listed.status_code == 200, url
        assert listed.context["cl"].result_count == count, (status, url)
    error_link = context["errors"][0]["url"]
    assert admin_client_.get(error_link).context["cl"].result_count == 2
    slow_link = context["slowest"][1]["url"]
    assert admin_client_.get(slow_link).context["cl"].result_count == 10
    backlog = {item["label"]: item["url"] for item in context["backlog"] if "label" in item}
    assert admin_client_.get(backlog["Dead (gave up)"]).context["cl"].result_count == 3
    assert admin_client_.get(backlog["Failed, will retry"]).context["cl"].result_count == 1
    assert admin_client_.get(context["window_url"]).context["cl"].result_count == 15


def test_non_staff_are_sent_to_the_login_page() -> None:
    client = Client()
    assert client.get(DASHBOARD).url.startswith("/admin/login/")
    client.force_login(get_user_model().objects.create_user("ada", password="pw"))
    assert client.get(DASHBOARD).url.startswith("/admin/login/")


def test_staff_need_the_permission_to_view_deliveries() -> None:
    user = get_user_model().objects.create_user("eve", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_trigger"))
    client = Client()
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert DASHBOARD not in index

    user.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    user = get_user_model().objects.get(pk=user.pk)  # permissions are cached on the instance
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{DASHBOARD}"' in index


def test_listed_first_in_the_app_index_and_the_sidebar(admin_client_: Client) -> None:
    page = admin_client_.get(reverse("admin:app_list", args=["django_signal_notifier"]))
    models = [model["object_name"] for model in page.context["app_list"][0]["models"]]
    assert models[:4] == ["Dashboard", "Trigger", "Backend", "Subscription"]
    sidebar = admin_client_.get(DASHBOARD).content.decode()
    assert 'class="model-dashboard current-model"' in sidebar


def test_a_constant_number_of_queries(admin_client_: Client, django_assert_num_queries: Any) -> None:
    # session, user, then three figures and the backlog's three queries
    delivery("EmailMessenger", DeliveryStatus.SENT, timedelta(hours=1), latency=1)
    with django_assert_num_queries(8):
        admin_client_.get(DASHBOARD)
    for i in range(40):
        delivery(
            f"Channel{i % 7}",
            [DeliveryStatus.SENT, DeliveryStatus.DEAD][i % 2],
            timedelta(hours=i % 20),
            1,
            f"e{i % 5}",
        )
    with django_assert_num_queries(8):
        response = admin_client_.get(DASHBOARD)
    assert len(response.context["channels"]) == 8
    assert len(response.context["errors"]) == 10  # of 35 (channel, error) pairs: the top ten


def test_latency_percentiles_use_the_nearest_rank() -> None:
    now = timezone.now()
    for seconds in range(1, 101):
        delivery("Email", DeliveryStatus.SENT, timedelta(hours=1), latency=seconds, now=now)
    for seconds in (2, 4, 6):
        delivery("Slack", DeliveryStatus.SENT, timedelta(hours=1), latency=seconds, now=now)
    figures = {lat.channel: (lat.median, lat.p95, lat.sent) for lat in latencies(current_period("24h", now))}
    assert figures == {"Email": (50.0, 95.0, 100), "Slack": (4.0, 6.0, 3)}
