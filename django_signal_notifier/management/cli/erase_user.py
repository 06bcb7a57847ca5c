"""``signal_notifier erase-user USER --yes``: answer an erasure request (also done when a user is deleted)."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.management.cli.common import CommandInputError, error, find_user
from django_signal_notifier.privacy import erase_user_data

help = (
    "Delete a user's notifications, deliveries and preferences and scrub the events and messages that "
    "name them (also done when the user is deleted)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("user", help="The username (or #pk).")
    parser.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")


def handle(command: Any, options: dict[str, Any]) -> int:
    try:
        user = find_user(options["user"])
    except CommandInputError as problem:
        return error(command, str(problem))
    if not options.get("yes"):
        return error(command, f"This erases {user.get_username()}'s data for good: add --yes to confirm.")
    counts = erase_user_data(user)
    detail = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in counts.items())
    command.stdout.write(f"Erased the data of {user.get_username()}: {detail}.")
    return 0
