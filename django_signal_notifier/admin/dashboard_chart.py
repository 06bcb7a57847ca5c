"""A channel's deliveries over time as stacked bars: the geometry a server-side SVG is drawn from.

Each status has a fill pattern of its own besides its colour (solid, hatched, crossed, dotted,
dashed or solid outlines), named in the legend, and every bar segment carries its figure as a tooltip, so the
chart reads without colour and without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from django_signal_notifier.admin.dashboard_figures import ChannelActivity, Period
from django_signal_notifier.models import DeliveryStatus

WIDTH = 760
HEIGHT = 140
LEFT = 40  # room for the y axis labels
BOTTOM = 22  # room for the x axis labels
TOP = 8
GAP = 2

# Bottom to top in a bar; the pattern is what tells them apart without colour.
STACK = (
    (DeliveryStatus.SENT, "solid"),
    (DeliveryStatus.SKIPPED, "dots"),
    (DeliveryStatus.PENDING, "outline"),
    (DeliveryStatus.SENDING, "ring"),
    (DeliveryStatus.FAILED, "hatch"),
    (DeliveryStatus.DEAD, "cross"),
)


@dataclass(frozen=True)
class Segment:
    """One status's part of one bar."""

    x: float
    y: float
    width: float
    height: float
    status: str
    pattern: str
    title: str


@dataclass(frozen=True)
class Chart:
    """What the template draws: the segments, the y scale's top and the x axis's two ends."""

    width: int
    height: int
    left: int
    plot_bottom: int
    maximum: int
    segments: list[Segment]
    start_label: str
    middle_label: str
    end_label: str

    @property
    def middle(self) -> float:
        return (self.left + self.width) / 2


def _label(moment: datetime, with_date: bool) -> str:
    local = timezone.localtime(moment)
    return date_format(local, "SHORT_DATETIME_FORMAT" if with_date else "TIME_FORMAT")


def channel_chart(channel: ChannelActivity, period: Period) -> Chart:
    """The stacked bars of one channel over the period's buckets, scaled to its busiest bucket."""
    bounds = period.bounds
    per_bucket = [
        sum(channel.buckets.get(status, [0] * len(bounds))[i] for status, _ in STACK) for i in range(len(bounds))
    ]
    maximum = max(per_bucket, default=0) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / len(bounds)
    multi_day = period.window.length.days >= 1
    segments = []
    for i, (low, high) in enumerate(bounds):
        base = float(HEIGHT - BOTTOM)
        for status, pattern in STACK:
            count = channel.buckets.get(status, [0] * len(bounds))[i]
            if not count:
                continue
            height = count / maximum * plot_height
            base -= height
            label = DeliveryStatus(status).label
            segments.append(
                Segment(
                    x=round(LEFT + i * slot + GAP / 2, 2),
                    y=round(base, 2),
                    width=round(slot - GAP, 2),
                    height=round(height, 2),
                    status=status,
                    pattern=pattern,
                    title=f"{_label(low, multi_day)} – {_label(high, multi_day)}: {count} {label}",
                )
            )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_bottom=HEIGHT - BOTTOM,
        maximum=maximum,
        segments=segments,
        start_label=_label(period.start, True),
        middle_label=_label(period.start + period.window.length / 2, True),
        end_label=_label(period.end, True),
    )
