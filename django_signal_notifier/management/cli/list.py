"""``signal_notifier list``: triggers and their subscriptions, their state, and what is wrong with them."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.events.verbs import get_signal
from django_signal_notifier.management.cli.common import OK, emit_json
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Trigger
from django_signal_notifier.rendering.registry import template_registry

help = "List triggers and subscriptions with their state; problems are flagged."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="Print JSON (for scripts).")
    parser.add_argument("--problems", action="store_true", help="Only triggers with a problem; exit 1 if any.")


def backend_problems(backend: Any) -> list[str]:

    problems = []
    messenger = messenger_registry.get(backend.messenger)
    if messenger is None:
        problems.append(f"unknown messenger {backend.messenger!r}")
    name = backend.message_template or (messenger.default_template if messenger else "") or ""
    if messenger is not None and not name:
        problems.append("no message template")
    elif name and template_registry.get(name) is None:
        problems.append(f"unknown message template {name!r}")
    return problems


def describe() -> list[dict[str, Any]]:
    """Every trigger, its subscriptions and backends, with their state and problems."""

    triggers = (
        Trigger.objects.select_related("action_object_content_type", "actor_object_content_type")
        .prefetch_related("subscriptions__backends", "subscriptions__receiver_users", "subscriptions__receiver_groups")
        .order_by("pk")
    )
    rows = []
    for trigger in triggers:
        problems = []
        if get_signal(trigger.verb) is None:
            problems.append(f"signal {trigger.verb!r} is not registered")
        content_type = trigger.action_object_content_type
        model = ""
        if content_type is not None:
            model = f"{content_type.app_label}.{content_type.model}"
            if content_type.model_class() is None:
                problems.append(f"model {model} no longer exists")
            elif content_type.app_label == "django_signal_notifier":
                problems.append(f"triggers on the package's own models ({model}) are ignored")
        subscriptions = []
        for sub in trigger.subscriptions.all():
            sub_problems: list[str] = []
            backends = []
            for backend in sub.backends.all():
                found = backend_problems(backend)
                sub_problems.extend(f"backend {backend.pk}: {p}" for p in found)
                backends.append(
                    {
                        "id": backend.pk,
                        "name": str(backend),
                        "messenger": backend.messenger,
                        "message_template": backend.message_template,
                        "problems": found,
                    }
                )
            if not backends:
                sub_problems.append("no backend")
            users = [u.get_username() for u in sub.receiver_users.all()]
            groups = [g.name for g in sub.receiver_groups.all()]
            dynamic = [
                *(f"path:{p}" for p in (sub.receiver_field_paths or [])),
                *([f"callable:{sub.receiver_callable}"] if sub.receiver_callable else []),
            ]
            if not users and not groups and not dynamic:
                sub_problems.append("no receivers")
            subscriptions.append(
                {
                    "id": sub.pk,
                    "name": str(sub),
                    "enabled": sub.enabled,
                    "backends": backends,
                    "users": users,
                    "groups": groups,
                    "dynamic": dynamic,
                    "problems": sub_problems,
                }
            )
        if not any(s["enabled"] for s in subscriptions):
            problems.append("no enabled subscription: it sends nothing")
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
                "problems": problems,
                "ok": not problems and not any(s["problems"] for s in subscriptions),
            }
        )
    return rows


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
        command.stdout.write(f"Trigger {row['id']} {row['name']!r}: {row['verb']} on {where} [{state}] {flag}")
        for problem in row["problems"]:
            command.stdout.write(style.ERROR(f"    ! {problem}"))
        for sub in row["subscriptions"]:
            state = "enabled" if sub["enabled"] else "disabled"
            receivers = ", ".join([*sub["users"], *(f"group:{g}" for g in sub["groups"]), *sub["dynamic"]]) or "nobody"
            command.stdout.write(f"  Subscription {sub['id']} {sub['name']!r} [{state}] -> {receivers}")
            for backend in sub["backends"]:
                template = backend["message_template"] or "default template"
                command.stdout.write(f"    Backend {backend['id']}: {backend['messenger']} · {template}")
            for problem in sub["problems"]:
                command.stdout.write(style.ERROR(f"    ! {problem}"))
    return 1 if options.get("problems") else OK
