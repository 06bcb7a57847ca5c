"""Subcommands of ``manage.py signal_notifier``: one module each, registered in COMMANDS."""

from __future__ import annotations

from django_signal_notifier.management.cli import (
    digest,
    erase_user,
    export_user,
    fire,
    prune,
    redrive,
    render,
    sync,
    token,
    trial_send,
    vapid,
)
from django_signal_notifier.management.cli import list as list_command

# name -> module with `help`, `add_arguments(parser)` and `handle(command, options) -> int`
COMMANDS = {
    "digest": digest,
    "erase-user": erase_user,
    "export-user": export_user,
    "fire": fire,
    "list": list_command,
    "prune": prune,
    "redrive": redrive,
    "render": render,
    "sync": sync,
    "test-send": trial_send,
    "token": token,
    "vapid": vapid,
}
