"""Helpers shared by the subcommands: output, exit codes, looking things up by id or name."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder

# Exit codes: 0 success, 1 the operation failed (a send failed), 2 bad input (unknown id, bad JSON).
OK = 0
FAILED = 1
BAD_INPUT = 2


class CommandInputError(Exception):
    """Bad input from the command line: printed to stderr, exit code 2."""


def emit_json(command: Any, value: Any) -> None:
    command.stdout.write(json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))


def error(command: Any, message: str, code: int = BAD_INPUT) -> int:
    command.stderr.write(command.style.ERROR(f"Error: {message}"))
    return code


def find_user(username: str) -> Any:
    """The user whose username field is ``username`` (or whose pk it is, when written as ``#pk``)."""
    model = get_user_model()
    manager = model._default_manager
    if username.startswith("#"):
        found = manager.filter(pk=username[1:]).first()
    else:
        found = manager.filter(**{model.USERNAME_FIELD: username}).first()
    if found is None:
        raise CommandInputError(f"No user {username!r}.")
    return found


def find_object(reference: str) -> Any:
    """``app_label.Model:pk`` to the instance."""
    from django.apps import apps

    label, sep, pk = reference.partition(":")
    if not sep or not pk:
        raise CommandInputError(f"--object takes app_label.Model:pk, not {reference!r}.")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise CommandInputError(f"No model {label!r}.")
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise CommandInputError(f"No {label} with primary key {pk!r}.")
    return found


def parse_json_object(text: str, option: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as problem:
        raise CommandInputError(f"{option} is not valid JSON: {problem}.")
    if not isinstance(value, dict):
        raise CommandInputError(f"{option} must be a JSON object, e.g. '{{\"created\": true}}'.")
    return value


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--quiet`` and ``--json``, for the commands run from cron and scripts."""
    parser.add_argument("--quiet", action="store_true", help="Print nothing but warnings and errors (for cron).")
    parser.add_argument("--json", action="store_true", help="Print the result as one JSON object (for scripts).")


class Report:
    """What a long command says: progress while it works (only on a terminal), then a summary.

    The summary goes to stdout as text, or as one JSON line with ``--json``; ``--quiet`` prints
    nothing on success, so cron mails only warnings and errors. Progress goes to stderr and only
    when stderr is a terminal: logs and cron mails never see it.
    """

    def __init__(self, command: Any, options: dict[str, Any]) -> None:
        self.command = command
        self.quiet = bool(options.get("quiet"))
        self.as_json = bool(options.get("json"))
        self.live = not (self.quiet or self.as_json) and command.stderr.isatty()
        self._shown = False

    def progress(self, text: str) -> None:
        if self.live:
            self.command.stderr.write(f"\r{text}\x1b[K", ending="")
            self.command.stderr.flush()
            self._shown = True

    def summary(self, text: str, data: dict[str, Any]) -> None:
        if self._shown:
            self.command.stderr.write("")  # end the progress line
            self._shown = False
        if self.as_json:
            self.command.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False))
        elif not self.quiet:
            self.command.stdout.write(text)
