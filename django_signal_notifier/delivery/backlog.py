"""How far behind the pipeline is: one health snapshot for probes, dashboards and alerts.

``backlog()`` reads the outbox in three short queries (one aggregate over deliveries, one over
unfinished fan-outs through their partial index, the sweeper's heartbeat). ``backlog_view`` serves
it as JSON, HTTP 200 when healthy and 503 when not, for a load balancer or uptime probe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus, Event
from django_signal_notifier.models.heartbeat import SWEEPER, Heartbeat

# A backlog is unhealthy when its oldest due message or unfinished fan-out waited this long.
DEFAULT_MAX_DELAY = 300.0


@dataclass(frozen=True)
class Backlog:
    """The outbox's state now. Ages are in seconds, None when there is nothing of that kind."""

    due: int  # pending or failed deliveries whose time has come, and claims of dead workers
    oldest_due_age: float | None  # how long the oldest of those has been due
    waiting: int  # pending or failed, not yet due (retries with backoff)
    sending: int  # claimed by a worker right now
    failed: int  # failed at least once, to be retried (included in due or waiting)
    dead: int  # gave up (all time: `signal_notifier prune --status dead` clears them)
    unfinished_fanouts: int  # events whose recipients are not all written yet
    oldest_fanout_age: float | None  # since the oldest unfinished fan-out last moved
    last_sweep_age: float | None  # since the sweeper (`signal_notifier redrive`) last ran

    def problems(self, max_delay: float = DEFAULT_MAX_DELAY) -> list[str]:
        """What makes this backlog unhealthy, in words (empty when healthy)."""
        found = []
        if self.oldest_due_age is not None and self.oldest_due_age > max_delay:
            found.append(f"the oldest due delivery has waited {self.oldest_due_age:.0f}s (more than {max_delay:.0f}s)")
        if self.oldest_fanout_age is not None and self.oldest_fanout_age > max_delay:
            found.append(f"a fan-out has not moved for {self.oldest_fanout_age:.0f}s (more than {max_delay:.0f}s)")
        return found

    def as_dict(self, max_delay: float = DEFAULT_MAX_DELAY) -> dict[str, Any]:
        """JSON-safe: the figures, ``healthy`` and ``problems``."""
        problems = self.problems(max_delay)
        return {**asdict(self), "healthy": not problems, "problems": problems}


def backlog(using: str | None = None) -> Backlog:
    """Measure the outbox now (three queries)."""
    now = timezone.now()
    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    due_now = Q(status__in=open_statuses, next_attempt_at__lte=now, digest_key="") | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )
    deliveries = Delivery.objects.using(using) if using else Delivery.objects.all()
    figures = deliveries.aggregate(
        due=Count("pk", filter=due_now),
        oldest_due=Min("next_attempt_at", filter=due_now),
        waiting=Count("pk", filter=Q(status__in=open_statuses, next_attempt_at__gt=now, digest_key="")),
        sending=Count("pk", filter=Q(status=DeliveryStatus.SENDING)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        dead=Count("pk", filter=Q(status=DeliveryStatus.DEAD)),
    )
    events = Event.objects.using(using) if using else Event.objects.all()
    fanouts = events.filter(fanout_done=False).aggregate(count=Count("pk"), oldest=Min("fanout_updated_at"))
    return Backlog(
        due=figures["due"],
        oldest_due_age=_age(now, figures["oldest_due"]),
        waiting=figures["waiting"],
        sending=figures["sending"],
        failed=figures["failed"],
        dead=figures["dead"],
        unfinished_fanouts=fanouts["count"],
        oldest_fanout_age=_age(now, fanouts["oldest"]) if fanouts["count"] else None,
        last_sweep_age=_age(now, Heartbeat.last(SWEEPER, using=using)),
    )


def _age(now: datetime, since: datetime | None) -> float | None:
    return None if since is None else max(0.0, (now - since).total_seconds())


def backlog_view(request: HttpRequest) -> JsonResponse:
    """The backlog as JSON: 200 when healthy, 503 when not (``?max_delay=SECONDS``, default 300).

    It shows counts and ages only, never a message; route it where your probes reach it.
    """
    try:
        max_delay = float(request.GET.get("max_delay", DEFAULT_MAX_DELAY))
    except ValueError:
        return JsonResponse({"error": "max_delay must be a number of seconds"}, status=400)
    state = backlog().as_dict(max_delay)
    return JsonResponse(state, status=200 if state["healthy"] else 503)
