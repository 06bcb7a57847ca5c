"""Subcommands of ``manage.py signal_notifier``: one module each, registered in COMMANDS."""

from __future__ import annotations

from django_signal_notifier.cli import digest, prune, redrive, sync

# name -> module with `help`, `add_arguments(parser)` and `handle(command, options) -> int`
COMMANDS = {
    "digest": digest,
    "prune": prune,
    "redrive": redrive,
    "sync": sync,
}
