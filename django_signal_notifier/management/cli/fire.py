"""``signal_notifier fire``: run a trigger against a real object or sample kwargs (0.2.1's run_trigger)."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from django.db import router

from django_signal_notifier.config.index import TriggerIndex
from django_signal_notifier.config.matching import matches
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.fanout.writer import fan_out
from django_signal_notifier.management.cli.common import (
    OK,
    CommandInputError,
    emit_json,
    error,
    find_user,
    parse_json_object,
)
from django_signal_notifier.management.cli.dryrun import plan
from django_signal_notifier.models import Delivery, Event, Notification, Trigger

help = "Fire a trigger against an object (--object PK) or sample kwargs; --dry-run shows who would get what."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trigger", help="The trigger's id or key.")
    parser.add_argument("--object", dest="object_pk", help="Primary key of the trigger's model's instance to use.")
    parser.add_argument("--kwargs", default="", help="Signal kwargs as a JSON object, e.g. '{\"created\": true}'.")
    parser.add_argument("--actor", help="Username of the actor.")
    parser.add_argument(
        "--dry-run", action="store_true", help="Show who would get what on which channel; write nothing."
    )
    parser.add_argument("--json", action="store_true", help="Print JSON (for scripts).")


def handle(command: Any, options: dict[str, Any]) -> int:
    try:
        trigger, spec, event, note = _prepare(options)
    except CommandInputError as problem:
        return error(command, str(problem))
    if note and not options["json"]:
        command.stderr.write(command.style.WARNING(note))
    return fire_event(command, trigger, spec, event, dry_run=options["dry_run"], as_json=options["json"])


def spec_of(trigger: Any) -> Any:
    """The trigger's in-memory spec, as the index builds it; CommandInputError says why there is none."""
    problems: list[str] = []
    spec = TriggerIndex._spec(trigger, problems)
    if spec is None:
        raise CommandInputError("; ".join(problems) or f"Trigger {trigger.pk} has no enabled subscription.")
    return spec


def would_fire(command: Any, spec: Any, event: SignalEvent) -> bool:
    """Whether a real signal send would fire the trigger: its sender model and its filters."""
    sender = event.sender
    is_model = isinstance(sender, type) and hasattr(sender, "_meta")
    if spec.model is not None and is_model and sender._meta.concrete_model is not spec.model._meta.concrete_model:
        return False
    try:
        return matches(spec, event)
    except Exception as problem:  # a condition that cannot be evaluated on sample kwargs
        command.stderr.write(command.style.WARNING(f"The trigger's filters could not be evaluated: {problem}"))
        return False


def write_timelines(command: Any, planned: list[Any]) -> None:
    """Each recipient's timeline: their messages in the order they would go out, with step, channel and due time."""
    by_recipient: dict[str, list[Any]] = {}
    for item in planned:
        by_recipient.setdefault(item.recipient or "-", []).append(item)
    for recipient, items in by_recipient.items():
        command.stdout.write(f"  {recipient}:")
        for item in sorted(items, key=lambda i: (i.due_at or "~", i.backend_id or 0)):
            where = item.channel + (f" <{item.address}>" if item.address else "")
            due = item.due_at or "not sent"
            command.stdout.write(f"    {due}  {where}: {(item.subject or item.text)[:100]!r}")
            command.stdout.write(f"      step: {item.step}" + (f"; {item.note}" if item.note else ""))
            if item.problem:
                command.stdout.write(command.style.WARNING(f"      ! {item.problem}"))


def fire_event(command: Any, trigger: Any, spec: Any, event: SignalEvent, *, dry_run: bool, as_json: bool) -> int:
    """Run the pipeline for one trigger and one event (or plan it with ``dry_run``), and report."""
    db = router.db_for_write(Event)
    would_match = would_fire(command, spec, event)
    if not would_match and not as_json:
        command.stderr.write(
            command.style.WARNING(
                "This event does not match the trigger's filters or conditions: a real signal would not fire it. "
                "Firing it anyway."
            )
        )
    if dry_run:
        planned = plan(event, [spec], db)
        if as_json:
            emit_json(
                command,
                {
                    "trigger": trigger.pk,
                    "dry_run": True,
                    "matches": would_match,
                    "messages": [p.as_dict() for p in planned],
                },
            )
            return OK
        command.stdout.write(
            f"Dry run of trigger {trigger.pk} {str(trigger)!r}: {len(planned)} message(s), nothing written."
        )
        write_timelines(command, planned)
        return OK

    row = fan_out(event, event.snapshot(), [spec])
    statuses = Counter(Delivery.objects.filter(event=row).values_list("status", flat=True))
    inbox = Notification.objects.filter(event=row).count()
    result = {
        "trigger": trigger.pk,
        "matches": would_match,
        "event": row.pk,
        "deliveries": dict(statuses),
        "notifications": inbox,
    }
    if as_json:
        emit_json(command, result)
    else:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none"
        command.stdout.write(
            f"Fired trigger {trigger.pk} {str(trigger)!r}: event {row.pk}, deliveries: {counts}, in-site notifications: {inbox}."
        )
    failed = statuses.get("dead", 0) + statuses.get("failed", 0)
    return 1 if failed else OK


def _prepare(options: dict[str, Any]) -> tuple[Any, Any, Any, str]:
    """The trigger, its spec, the event to fire, and a note on what was chosen for the user ("" if nothing)."""

    reference = str(options["trigger"])
    trigger = Trigger.objects.filter(pk=int(reference)).first() if reference.isdigit() else None
    if trigger is None:
        trigger = Trigger.objects.filter(key=reference).first()
    if trigger is None:
        raise CommandInputError(f"No trigger {reference!r} (give its id or key; `signal_notifier list` shows them).")
    kwargs = parse_json_object(options["kwargs"], "--kwargs") if options.get("kwargs") else {}
    spec = spec_of(trigger)
    model = spec.model
    if options.get("object_pk") is not None:
        if model is None:
            raise CommandInputError(f"Trigger {trigger.pk} names no model; use --kwargs instead of --object.")
        instance = model._default_manager.filter(pk=options["object_pk"]).first()
        if instance is None:
            raise CommandInputError(f"No {model._meta.label} with primary key {options['object_pk']!r}.")
        kwargs["instance"] = instance
    elif model is not None and trigger.action_object_id:
        kwargs.setdefault("instance", trigger.action_object)
    note = ""
    if model is not None and kwargs.get("instance") is None:
        # A signal about a model always carries an instance: firing without one would render "None".
        kwargs["instance"] = model._default_manager.order_by("-pk").first()
        if kwargs["instance"] is None:
            raise CommandInputError(
                f"Trigger {trigger.pk} fires on {model._meta.label} objects and none exists yet: create one, "
                "then fire it with --object PK."
            )
        note = f"No --object given: using the newest {model._meta.label}, #{kwargs['instance'].pk}."
    if options.get("actor"):
        kwargs["actor"] = find_user(options["actor"])
    sender = model if model is not None else "signal_notifier fire"
    return trigger, spec, SignalEvent.from_signal(trigger.verb, sender, kwargs), note
