"""``signal_notifier digest``: send the digests whose window has closed (run it on a schedule)."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.fanout.digests import send_digests_now

help = "Collapse each recipient's closed digest window into one message and send it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def handle(command: Any, options: dict[str, Any]) -> int:

    ready = send_digests_now()
    command.stdout.write(f"{len(ready)} digest message(s) enqueued.")
    return 0
