"""``signal_notifier export-user USER [--output FILE]``: answer a data-portability request."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from django_signal_notifier.management.cli.common import CommandInputError, error, find_user
from django_signal_notifier.privacy import export_user_data

help = "Print (or write to --output) everything the package holds about a user, as JSON."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("user", help="The username (or #pk).")
    parser.add_argument("--output", help="Write the JSON to this file instead of printing it.")


def handle(command: Any, options: dict[str, Any]) -> int:
    try:
        user = find_user(options["user"])
    except CommandInputError as problem:
        return error(command, str(problem))
    data = json.dumps(export_user_data(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    if options.get("output"):
        Path(options["output"]).write_text(data + "\n", encoding="utf-8")
        command.stdout.write(f"Wrote the data of {user.get_username()} to {options['output']}.")
    else:
        command.stdout.write(data)
    return 0
