"""``signal_notifier prune``: delete old deliveries from the log, by age and status, and expired in-site notifications."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from django_signal_notifier.management.cli.common import Report, add_output_arguments
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Notification

help = (
    "Delete deliveries older than --older-than days (by default only sent and skipped ones), "
    "in-site notifications that expired more than --older-than days ago, "
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
    parser.add_argument(
        "--batch-size", type=int, default=5000, help="Rows deleted per transaction (short locks on big logs)."
    )
    add_output_arguments(parser)


def handle(command: Any, options: dict[str, Any]) -> int:
    days, batch_size = options["older_than"], options.get("batch_size") or 5000
    if days < 0:
        command.stderr.write("--older-than must be zero or more days.")
        return 2
    if batch_size < 1:
        command.stderr.write("--batch-size must be a positive number of rows.")
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
    out = Report(command, options)
    cutoff = timezone.now() - timedelta(days=days)
    old = Delivery.objects.filter(created_at__lt=cutoff, status__in=statuses)
    per_status = dict(old.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(per_status.values())
    expired = Notification.objects.expired(now=cutoff)
    events = _orphaned_events(cutoff, old)
    if options.get("dry_run"):
        expired_count = expired.count()
        event_count = events.count()
    else:
        _delete_in_batches(old, batch_size, total, "deliveries", out)
        expired_count = _delete_in_batches(expired, batch_size, None, "expired notifications", out)
        event_count = _delete_in_batches(_orphaned_events(cutoff, old), batch_size, None, "events", out)
    verb = "Would delete" if options.get("dry_run") else "Deleted"
    detail = ", ".join(f"{per_status[s]} {s}" for s in sorted(per_status)) or "nothing"
    expired_text = f" {verb} {expired_count} in-site notifications expired that long ago." if expired_count else ""
    out.summary(
        f"{verb} {total} deliveries older than {days:g} days ({detail}) and {event_count} events left without any."
        + expired_text,
        {
            "dry_run": bool(options.get("dry_run")),
            "deliveries": per_status,
            "expired_notifications": expired_count,
            "events": event_count,
        },
    )
    return 0


def _delete_in_batches(rows: QuerySet[Any], size: int, total: int | None, what: str, out: Report) -> int:
    """Delete ``rows`` ``size`` at a time, each batch its own transaction; how many were deleted."""
    deleted = 0
    for _ in range(10_000_000 // size + 1):  # bounded: at most ten million rows per run
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            break
        with transaction.atomic():
            rows.model._default_manager.filter(pk__in=ids).delete()
        deleted += len(ids)
        out.progress(f"Deleting {what}: {deleted}" + (f" of {total}" if total else ""))
    return deleted


def _orphaned_events(cutoff: Any, pruned: QuerySet[Any]) -> QuerySet[Any]:
    """Old events that keep no delivery after the prune and no in-site notification."""

    kept = Delivery.objects.filter(event=OuterRef("pk")).exclude(pk__in=pruned.values("pk"))
    notified = Notification.objects.filter(event=OuterRef("pk"))
    return Event.objects.filter(created_at__lt=cutoff).filter(~Exists(kept), ~Exists(notified))
