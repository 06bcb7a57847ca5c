"""``signal_notifier digest``: send the digests whose window has closed (run it on a schedule)."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.fanout.digests import send_digests_now
from django_signal_notifier.management.cli.common import Report, add_output_arguments

help = "Collapse each recipient's closed digest window into one message and send it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_arguments(parser)


def handle(command: Any, options: dict[str, Any]) -> int:
    out = Report(command, options)
    out.progress("Collecting closed digest windows…")
    ready = send_digests_now()
    out.summary(f"{len(ready)} digest message(s) enqueued.", {"enqueued": len(ready)})
    return 0
