"""``signal_notifier list``: triggers and their subscriptions, their state, and what is wrong with them."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.config import problems
from django_signal_notifier.management.cli.common import OK, emit_json
from django_signal_notifier.messengers.registry import template_name
from django_signal_notifier.models import Trigger

help = "List triggers and subscriptions with their state; problems are flagged."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="Print JSON (for scripts).")
    parser.add_argument("--problems", action="store_true", help="Only triggers with a problem; exit 1 if any.")


def backend_problems(backend: Any) -> list[str]:
    """What is wrong with ``backend``, in the words of :mod:`django_signal_notifier.config.problems`."""
    return [problem.text for problem in problems.backend_problems(backend)]


def describe() -> list[dict[str, Any]]:
    """Every trigger, its subscriptions and backends, with their state and problems."""

    triggers = (
        Trigger.objects.select_related("action_object_content_type", "actor_object_content_type")
        .prefetch_related("subscriptions__backends", "subscriptions__receiver_users", "subscriptions__receiver_groups")
        .order_by("pk")
    )
    rows = []
    for trigger in triggers:
        found = [problem.text for problem in problems.trigger_problems(trigger)]
        content_type = trigger.action_object_content_type
        model = f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""
        subscriptions = []
        for sub in trigger.subscriptions.all():
            backends = [
                {
                    "id": backend.pk,
                    "key": backend.key,
                    "name": str(backend),
                    "messenger": backend.messenger,
                    "message_template": backend.message_template,
                    "template": template_name(backend.message_template, backend.messenger),
                    "problems": backend_problems(backend),
                }
                for backend in sub.backends.all()
            ]
            users = [u.get_username() for u in sub.receiver_users.all()]
            groups = [g.name for g in sub.receiver_groups.all()]
            dynamic = [
                *(f"path:{p}" for p in (sub.receiver_field_paths or [])),
                *([f"callable:{sub.receiver_callable}"] if sub.receiver_callable else []),
            ]
            sub_problems = [problem.text for problem in problems.subscription_problems(sub)]
            subscriptions.append(
                {
                    "id": sub.pk,
                    "key": sub.key,
                    "name": str(sub),
                    "enabled": sub.enabled,
                    "backends": backends,
                    "users": users,
                    "groups": groups,
                    "dynamic": dynamic,
                    "problems": sub_problems,
                }
            )
        rows.append(
            {
                "id": trigger.pk,
                "key": trigger.key,
                "name": str(trigger),
                "verb": trigger.verb,
                "model": model,
                "object_id": trigger.action_object_id or "",
                "enabled": trigger.enabled,
                "subscriptions": subscriptions,
                "problems": found,
                "ok": not found and not any(s["problems"] for s in subscriptions),
            }
        )
    return rows


def _named(kind: str, row: dict[str, Any]) -> str:
    """'Trigger 3', or 'Trigger 3 (key new-comment)': the id and the key both name it on the command line."""
    return f"{kind} {row['id']}" + (f" (key {row['key']})" if row.get("key") else "")


def handle(command: Any, options: dict[str, Any]) -> int:
    rows = describe()
    if options.get("problems"):
        rows = [row for row in rows if not row["ok"]]
    if options.get("json"):
        emit_json(command, rows)
        return 1 if options.get("problems") and rows else OK
    if not rows:
        command.stdout.write("No triggers." if not options.get("problems") else "No problems.")
        return OK
    style = command.style
    for row in rows:
        state = "enabled" if row["enabled"] else "disabled"
        where = row["model"] or "any sender"
        if row["object_id"]:
            where += f" #{row['object_id']}"
        flag = style.SUCCESS("ok") if row["ok"] else style.ERROR("PROBLEM")
        command.stdout.write(f"{_named('Trigger', row)} {row['name']!r}: {row['verb']} on {where} [{state}] {flag}")
        for problem in row["problems"]:
            command.stdout.write(style.ERROR(f"    ! {problem}"))
        for sub in row["subscriptions"]:
            state = "enabled" if sub["enabled"] else "disabled"
            receivers = ", ".join([*sub["users"], *(f"group:{g}" for g in sub["groups"]), *sub["dynamic"]]) or "nobody"
            command.stdout.write(f"  {_named('Subscription', sub)} {sub['name']!r} [{state}] -> {receivers}")
            for backend in sub["backends"]:
                template = backend["message_template"] or "default template"
                command.stdout.write(f"    {_named('Backend', backend)}: {backend['messenger']} · {template}")
            for problem in sub["problems"]:
                command.stdout.write(style.ERROR(f"    ! {problem}"))
    return 1 if options.get("problems") else OK
