"""The dashboard's figures over a time window, each in one query whatever the number of deliveries.

Deliveries per channel, status and time bucket (conditional counts over the window's rows, read
through the ``created_at`` index), the slowest channels (median and 95th percentile of
``sent_at - created_at``, ranked by a window function in the database) and the most frequent
errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus

TOP_ERRORS = 10
PERCENTILES = {"median": 0.5, "p95": 0.95}


@dataclass(frozen=True)
class TimeWindow:
    """A period the dashboard can show: its key in the URL, its label and how it is cut into bars."""

    key: str
    label: str
    length: timedelta
    buckets: int


WINDOWS = {
    window.key: window
    for window in (
        TimeWindow("6h", "last 6 hours", timedelta(hours=6), 24),
        TimeWindow("24h", "last 24 hours", timedelta(hours=24), 24),
        TimeWindow("7d", "last 7 days", timedelta(days=7), 28),
    )
}
DEFAULT_WINDOW = "24h"


@dataclass(frozen=True)
class Period:
    """One window as of one moment: where it starts and the bounds of its buckets."""

    window: TimeWindow
    end: datetime

    @property
    def start(self) -> datetime:
        return self.end - self.window.length

    @property
    def bounds(self) -> list[tuple[datetime, datetime]]:
        step = self.window.length / self.window.buckets
        return [(self.start + step * i, self.start + step * (i + 1)) for i in range(self.window.buckets)]


@dataclass
class ChannelActivity:
    """A channel's deliveries in the window: per status, and per status and bucket."""

    channel: str
    totals: dict[str, int] = field(default_factory=dict)
    buckets: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


@dataclass(frozen=True)
class Latency:
    """How long a channel's sent messages took from creation to sending, in seconds."""

    channel: str
    sent: int
    median: float
    p95: float


@dataclass(frozen=True)
class ErrorCount:
    """One error text, on one channel, and how many deliveries of the window ended with it."""

    channel: str
    error: str
    count: int


def in_period(period: Period) -> QuerySet[Delivery]:
    """The deliveries created in the period (its end included: rows created this very second)."""
    return Delivery.objects.filter(created_at__gte=period.start, created_at__lte=period.end)


def activity(period: Period) -> list[ChannelActivity]:
    """Deliveries per channel, status and bucket (one query), the busiest channel first."""
    bounds = period.bounds
    last = len(bounds) - 1
    counts = {
        f"b{i}": Count(
            "pk",
            filter=Q(created_at__gte=low, **({"created_at__lte": high} if i == last else {"created_at__lt": high})),
        )
        for i, (low, high) in enumerate(bounds)
    }
    rows = in_period(period).values("channel", "status").annotate(total=Count("pk"), **counts).order_by()
    channels: dict[str, ChannelActivity] = {}
    for row in rows:
        figures: dict[str, Any] = dict(row)
        channel = channels.setdefault(figures["channel"], ChannelActivity(figures["channel"]))
        channel.totals[figures["status"]] = figures["total"]
        channel.buckets[figures["status"]] = [figures[f"b{i}"] for i in range(len(bounds))]
    return sorted(channels.values(), key=lambda c: (-c.total, c.channel))


def latencies(period: Period) -> list[Latency]:
    """Median and 95th percentile (nearest rank) of sent_at - created_at per channel, slowest first.

    One query: the sent rows are ranked per channel by their latency in the database and only
    the rows at the two ranks come back, so the cost does not grow with the rows returned.
    """
    ranked = (
        in_period(period)
        .filter(status=DeliveryStatus.SENT, sent_at__isnull=False)
        .annotate(
            latency=ExpressionWrapper(F("sent_at") - F("created_at"), output_field=DurationField()),
            position=Window(RowNumber(), partition_by=[F("channel")], order_by=[F("latency").asc(), F("pk").asc()]),
            sent=Window(Count("pk"), partition_by=[F("channel")]),
        )
    )
    at_rank = Q()
    for fraction in PERCENTILES.values():
        # nearest rank: position == ceil(fraction * sent)
        at_rank |= Q(position__gte=F("sent") * fraction, position__lt=F("sent") * fraction + 1)
    rows = ranked.filter(at_rank).values_list("channel", "position", "sent", "latency").order_by()
    found: dict[str, dict[int, float]] = {}
    totals: dict[str, int] = {}
    for channel, position, sent, latency in rows:
        found.setdefault(channel, {})[position] = _seconds(latency)
        totals[channel] = sent
    result = [
        Latency(
            channel=channel,
            sent=totals[channel],
            median=by_rank[_nearest_rank(PERCENTILES["median"], totals[channel])],
            p95=by_rank[_nearest_rank(PERCENTILES["p95"], totals[channel])],
        )
        for channel, by_rank in found.items()
    ]
    return sorted(result, key=lambda latency: (-latency.p95, -latency.median, latency.channel))


def _nearest_rank(fraction: float, count: int) -> int:
    return max(1, math.ceil(fraction * count))


def _seconds(latency: timedelta | float | int | None) -> float:
    if isinstance(latency, timedelta):
        return max(0.0, latency.total_seconds())
    return max(0.0, float(latency or 0) / 1_000_000)  # a backend that returns microseconds


def top_errors(period: Period, limit: int = TOP_ERRORS) -> list[ErrorCount]:
    """The most frequent last errors of the window's deliveries, per channel (one query)."""
    rows = (
        in_period(period)
        .exclude(last_error="")
        .values_list("channel", "last_error")
        .annotate(count=Count("pk"))
        .order_by("-count", "channel", "last_error")[:limit]
    )
    return [ErrorCount(channel, error, count) for channel, error, count in rows]


def current_period(key: str, now: datetime | None = None) -> Period:
    """The window named ``key`` ending now (``KeyError`` for an unknown key)."""
    return Period(WINDOWS[key], now or timezone.now())
