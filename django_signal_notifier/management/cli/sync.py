"""``signal_notifier sync``: apply the configuration declared in code."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.config.declare import sync

help = "Apply the triggers, backends and subscriptions declared in code (idempotent)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def handle(command: Any, options: dict[str, Any]) -> int:

    count = sync()
    command.stdout.write(f"Applied {count} declaration function(s).")
    return 0
