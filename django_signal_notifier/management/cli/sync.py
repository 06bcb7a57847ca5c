"""``signal_notifier sync``: apply the configuration declared in code."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.config.declare import Declarer, sync
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.management.cli.common import Report, add_output_arguments

help = "Apply the triggers, backends and subscriptions declared in code (idempotent)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_arguments(parser)


def handle(command: Any, options: dict[str, Any]) -> int:
    out = Report(command, options)
    declarer = Declarer()
    out.progress("Applying the declarations…")
    try:
        count = sync(declarer)
    except ConfigurationError as error:
        command.stderr.write(f"Nothing was applied: {error}")
        return 2
    for warning in declarer.warnings:  # shown even with --quiet: cron mails them
        command.stderr.write(f"Warning: {warning}")
    out.summary(f"Applied {count} declaration function(s).", {"applied": count, "warnings": list(declarer.warnings)})
    return 0
