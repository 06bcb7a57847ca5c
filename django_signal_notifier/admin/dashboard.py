"""The operator's dashboard in the admin: deliveries over time, the backlog, slow channels, top errors.

Served at ``admin/django_signal_notifier/dashboard/`` to staff who may view deliveries, and
linked first in the app's section of the index and the sidebar. Every figure links to the
delivery log filtered on what it counts. A constant number of queries whatever the number of
deliveries (see dashboard_figures.py). Rendered with the overridable template
``django_signal_notifier/admin/dashboard.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.admin.dashboard_chart import STACK, Chart, channel_chart
from django_signal_notifier.admin.dashboard_figures import (
    DEFAULT_WINDOW,
    WINDOWS,
    ChannelActivity,
    Period,
    activity,
    current_period,
    latencies,
    top_errors,
)
from django_signal_notifier.delivery.backlog import backlog
from django_signal_notifier.models import Delivery, DeliveryStatus

APP_LABEL = "django_signal_notifier"
URL_NAME = "django_signal_notifier_dashboard"
SEARCHED_ERROR_LENGTH = 100  # the changelist's search box gets the error's beginning


def deliveries_url(**filters: Any) -> str:
    """The delivery log filtered on ``filters`` (the changelist's own query parameters)."""
    base = reverse("admin:django_signal_notifier_delivery_changelist")
    query = {name: _param(value) for name, value in filters.items() if value is not None}
    return f"{base}?{urlencode(query)}" if query else base


def _param(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


@dataclass(frozen=True)
class ChannelRow:
    """A channel's chart and its totals per status, each with its link."""

    channel: str
    total: int
    total_url: str
    statuses: list[tuple[str, str, int, str]]  # (status, label, count, url)
    chart: Chart


def _channel_row(channel: ChannelActivity, period: Period) -> ChannelRow:
    window = {"created_at__gte": period.start, "created_at__lte": period.end}
    statuses = [
        (
            status.value,
            str(status.label),
            channel.totals.get(status.value, 0),
            deliveries_url(channel__exact=channel.channel, status__exact=status.value, **window),
        )
        for status, _pattern in STACK
        if channel.totals.get(status.value)
    ]
    return ChannelRow(
        channel=channel.channel,
        total=channel.total,
        total_url=deliveries_url(channel__exact=channel.channel, **window),
        statuses=statuses,
        chart=channel_chart(channel, period),
    )


def _backlog_rows(period: Period) -> list[dict[str, Any]]:
    """The backlog's figures with their links, then its problems (``{"problem": text}``) if any."""
    state = backlog()
    now = period.end
    open_statuses = f"{DeliveryStatus.PENDING},{DeliveryStatus.FAILED}"
    events = reverse("admin:django_signal_notifier_event_changelist")
    rows: list[dict[str, Any]] = [
        {
            "label": gettext("Due now"),
            "value": state.due,
            "url": deliveries_url(status__in=open_statuses, next_attempt_at__lte=now),
            "note": _age_note(gettext("the oldest has waited"), state.oldest_due_age),
        },
        {
            "label": gettext("Waiting to be retried"),
            "value": state.waiting,
            "url": deliveries_url(status__in=open_statuses, next_attempt_at__gt=now),
            "note": "",
        },
        {
            "label": gettext("Being sent"),
            "value": state.sending,
            "url": deliveries_url(status__exact=DeliveryStatus.SENDING),
            "note": "",
        },
        {
            "label": gettext("Failed, will retry"),
            "value": state.failed,
            "url": deliveries_url(status__exact=DeliveryStatus.FAILED),
            "note": "",
        },
        {
            "label": gettext("Dead (gave up)"),
            "value": state.dead,
            "url": deliveries_url(status__exact=DeliveryStatus.DEAD),
            "note": gettext("all time"),
        },
        {
            "label": gettext("Unfinished fan-outs"),
            "value": state.unfinished_fanouts,
            "url": f"{events}?{urlencode({'fanout_done__exact': 0})}",
            "note": _age_note(gettext("the oldest has not moved for"), state.oldest_fanout_age),
        },
        {
            "label": gettext("Last sweep"),
            "value": _duration(state.last_sweep_age) + " " + gettext("ago")
            if state.last_sweep_age is not None
            else gettext("never"),
            "url": "",
            "note": gettext("the sweeper: manage.py signal_notifier redrive"),
        },
    ]
    return rows + [{"problem": problem} for problem in state.problems()]


def _age_note(text: str, age: float | None) -> str:
    return "" if age is None else f"{text} {_duration(age)}"


def _duration(seconds: float) -> str:
    """Seconds as a person reads them: 0.42 s, 12 s, 5 min, 3.5 h, 2.0 days."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def dashboard_context(period: Period) -> dict[str, Any]:
    """Everything the page shows for ``period`` (six queries: three figures, three for the backlog)."""
    window = {"created_at__gte": period.start, "created_at__lte": period.end}
    channels = [_channel_row(channel, period) for channel in activity(period)]
    slowest = [
        {
            "latency": latency,
            "median": _duration(latency.median),
            "p95": _duration(latency.p95),
            "url": deliveries_url(channel__exact=latency.channel, status__exact=DeliveryStatus.SENT, **window),
        }
        for latency in latencies(period)
    ]
    errors = [
        {
            "error": error,
            "url": deliveries_url(channel__exact=error.channel, q=error.error[:SEARCHED_ERROR_LENGTH], **window),
        }
        for error in top_errors(period)
    ]
    return {
        "period": period,
        "channels": channels,
        "legend": [(status.value, status.label, pattern) for status, pattern in STACK],
        "backlog": _backlog_rows(period),
        "slowest": slowest,
        "errors": errors,
        "window_total": sum(channel.total for channel in channels),
        "window_url": deliveries_url(**window),
    }


def dashboard_view(site: AdminSite) -> Any:
    """The dashboard's view on ``site`` (wrapped by ``site.admin_view``: staff only)."""

    def view(request: HttpRequest) -> HttpResponse:
        delivery_admin = site._registry.get(Delivery)
        if delivery_admin is None or not delivery_admin.has_view_permission(request):
            raise PermissionDenied
        key = request.GET.get("window", DEFAULT_WINDOW)
        unknown = key not in WINDOWS
        period = current_period(DEFAULT_WINDOW if unknown else key)
        context = {
            **site.each_context(request),
            "title": gettext("Notifications dashboard"),
            "windows": [(window.key, window.label) for window in WINDOWS.values()],
            "unknown_window": key if unknown else "",
            "app_label": APP_LABEL,
            **dashboard_context(period),
        }
        return TemplateResponse(request, "django_signal_notifier/admin/dashboard.html", context)

    return site.admin_view(view)


def add_dashboard(site: AdminSite) -> None:
    """Serve the dashboard on ``site`` and list it first in the app's section (once)."""
    original_urls = site.get_urls
    if getattr(original_urls, "serves_signal_notifier_dashboard", False):
        return

    def get_urls() -> list[URLResolver | URLPattern]:
        return [path(f"{APP_LABEL}/dashboard/", dashboard_view(site), name=URL_NAME), *original_urls()]

    original_app_list = site.get_app_list

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = original_app_list(request, app_label)
        delivery_admin = site._registry.get(Delivery)
        if delivery_admin is None or not delivery_admin.has_view_permission(request):
            return app_list
        for app in app_list:
            if app.get("app_label") == APP_LABEL:
                app["models"].insert(0, _dashboard_entry(site))
        return app_list

    get_urls.serves_signal_notifier_dashboard = True  # type: ignore[attr-defined]
    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]


def _dashboard_entry(site: AdminSite) -> dict[str, Any]:
    """The dashboard as the app index and the sidebar list a model: a name and a link, nothing to add."""
    return {
        "name": _("Dashboard"),
        "object_name": "Dashboard",
        "admin_url": reverse(f"{site.name}:{URL_NAME}"),
        "add_url": None,
        "perms": {"add": False, "change": False, "delete": False, "view": True},
        "view_only": True,
    }
