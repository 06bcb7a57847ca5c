"""``signal_notifier render``: render a message template for a recipient (0.2.1's run_message_template)."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.management.cli.common import (
    FAILED,
    OK,
    CommandInputError,
    emit_json,
    error,
    find_object,
    find_user,
    parse_json_object,
)
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.rendering.render import EventView, base_context, language_for, render

help = "Render a message template for a user, optionally about an object (app_label.Model:pk)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("template", help="A registered message template's name.")
    parser.add_argument("--user", required=True, help="The recipient's username (or #pk).")
    parser.add_argument("--object", dest="object_ref", help="The event's object, as app_label.Model:pk.")
    parser.add_argument("--verb", default="post_save", help="The signal the message is about (default: post_save).")
    parser.add_argument("--kwargs", default="", help="Signal kwargs as a JSON object, e.g. '{\"created\": true}'.")
    parser.add_argument("--language", help="Render in this language (default: the user's, as LANGUAGE_GETTER says).")
    parser.add_argument("--json", action="store_true", help="Print JSON (for scripts).")


def handle(command: Any, options: dict[str, Any]) -> int:

    if template_registry.get(options["template"]) is None:
        return _unknown_template(command, options["template"])
    try:
        user = find_user(options["user"])
        kwargs = parse_json_object(options["kwargs"], "--kwargs") if options.get("kwargs") else {}
        if options.get("object_ref"):
            kwargs["instance"] = find_object(options["object_ref"])
    except CommandInputError as problem:
        return error(command, str(problem))
    instance = kwargs.get("instance")
    sender = type(instance) if instance is not None else None
    event = SignalEvent.from_signal(options["verb"], sender, kwargs)
    return show(command, options["template"], user, event, language=options.get("language"), as_json=options["json"])


def show(
    command: Any, template_name: str, user: Any, event: SignalEvent, *, language: str | None, as_json: bool
) -> int:
    """Render the registered template ``template_name`` for ``user`` about ``event``, and print it."""
    template_cls = template_registry.get(template_name)
    if template_cls is None:
        return _unknown_template(command, template_name)
    language = language or language_for(user)
    try:
        rendered = render(template_cls(), base_context(EventView.from_signal(event)), user, language)
    except Exception as problem:
        return error(command, f"{template_name} failed to render: {problem}", FAILED)
    parts = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html, "url": rendered.url}
    if as_json:
        emit_json(command, {"template": template_name, "user": user.get_username(), "language": language, **parts})
        return OK
    for name, value in parts.items():
        if value:
            command.stdout.write(command.style.MIGRATE_HEADING(f"--- {name} ---"))
            command.stdout.write(value)
    if not any(parts.values()):
        command.stdout.write("(the template rendered nothing)")
    return OK


def _unknown_template(command: Any, name: str) -> int:
    known = ", ".join(template_registry.names())
    return error(command, f"No message template is registered as {name!r}. Registered: {known}.")
