"""``signal_notifier sync``: apply the configuration declared in code."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.config.declare import Declarer, sync
from django_signal_notifier.exceptions import ConfigurationError

help = "Apply the triggers, backends and subscriptions declared in code (idempotent)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def handle(command: Any, options: dict[str, Any]) -> int:
    declarer = Declarer()
    try:
        count = sync(declarer)
    except ConfigurationError as error:
        command.stderr.write(f"Nothing was applied: {error}")
        return 2
    for warning in declarer.warnings:
        command.stderr.write(f"Warning: {warning}")
    command.stdout.write(f"Applied {count} declaration function(s).")
    return 0
