"""``signal_notifier vapid``: generate the VAPID key pair Web Push signs with, or show the public key of the configured one."""

from __future__ import annotations

import argparse
from typing import Any

from django_signal_notifier.management.cli.common import error
from django_signal_notifier.messengers.webpush import application_server_key, configured_public_key, new_private_key

help = (
    "Generate a VAPID key pair for Web Push (print the settings to add), or with --show print the "
    "application server key of SIGNAL_NOTIFIER['WEBPUSH_VAPID_PRIVATE_KEY']."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--show", action="store_true", help="Print the public key of the configured private key instead."
    )


def handle(command: Any, options: dict[str, Any]) -> int:
    try:
        if options.get("show"):
            public = configured_public_key()
            if public is None:
                return error(command, "SIGNAL_NOTIFIER['WEBPUSH_VAPID_PRIVATE_KEY'] is not set.")
            command.stdout.write(public)
            return 0
        private = new_private_key()
    except ImportError:
        return error(command, "Web Push needs pywebpush: pip install 'django-signal-notifier[webpush]'.")
    command.stderr.write("Add to SIGNAL_NOTIFIER (keep the private key secret, e.g. in an environment variable):")
    command.stdout.write(f'"WEBPUSH_VAPID_PRIVATE_KEY": "{private}",')
    command.stdout.write('"WEBPUSH_VAPID_SUBJECT": "mailto:you@example.org",')
    command.stderr.write(f"Application server key (public; served to browsers): {application_server_key(private)}")
    return 0
