"""``signal_notifier prune``: delete old deliveries from the log, by age and status."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification

help = (
    "Delete deliveries older than --older-than days (by default only sent and skipped ones), "
    "and the old events left with no delivery and no in-site notification."
)

DEFAULT_STATUSES = ("sent", "skipped")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--older-than", type=float, required=True, metavar="DAYS", help="Age in days (by creation time)."
    )
    parser.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="A status to prune (repeatable). Default: sent and skipped. Pending and sending are refused.",
    )
    parser.add_argument("--dry-run", action="store_true", help="Only print what would be deleted.")


def handle(command: Any, options: dict[str, Any]) -> int:
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    days = options["older_than"]
    if days < 0:
        command.stderr.write("--older-than must be zero or more days.")
        return 2
    statuses = options.get("status") or list(DEFAULT_STATUSES)
    known = set(DeliveryStatus.values)
    unknown = sorted(set(statuses) - known)
    if unknown:
        command.stderr.write(f"Unknown status {', '.join(unknown)}; choose from {', '.join(sorted(known))}.")
        return 2
    unfinished = sorted(set(statuses) & {DeliveryStatus.PENDING, DeliveryStatus.SENDING})
    if unfinished:
        command.stderr.write(f"Refusing to prune {', '.join(unfinished)} deliveries: they have not been sent yet.")
        return 2
    cutoff = timezone.now() - timedelta(days=days)
    old = Delivery.objects.filter(created_at__lt=cutoff, status__in=statuses)
    per_status = dict(old.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(per_status.values())
    events = _orphaned_events(cutoff, old)
    event_count = events.count()
    verb = "Would delete" if options.get("dry_run") else "Deleted"
    if not options.get("dry_run"):
        with transaction.atomic():
            event_ids = list(events.values_list("pk", flat=True))
            old.delete()
            Event.objects.filter(pk__in=event_ids).delete()
    detail = ", ".join(f"{per_status[s]} {s}" for s in sorted(per_status)) or "nothing"
    command.stdout.write(
        f"{verb} {total} deliveries older than {days:g} days ({detail}) and {event_count} events left without any."
    )
    return 0


def _orphaned_events(cutoff: Any, pruned: QuerySet[Any]) -> QuerySet[Any]:
    """Old events that keep no delivery after the prune and no in-site notification."""

    kept = Delivery.objects.filter(event=OuterRef("pk")).exclude(pk__in=pruned.values("pk"))
    notified = Notification.objects.filter(event=OuterRef("pk"))
    return Event.objects.filter(created_at__lt=cutoff).filter(~Exists(kept), ~Exists(notified))
