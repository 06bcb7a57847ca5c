"""``manage.py signal_notifier <subcommand>``: the package's command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_signal_notifier.management.cli import COMMANDS


class Command(BaseCommand):
    help = "django-signal-notifier: " + ", ".join(sorted(COMMANDS))

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="subcommand", required=True)
        for name, module in sorted(COMMANDS.items()):
            sub = subparsers.add_parser(name, help=module.help, description=module.help)
            module.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        module = COMMANDS.get(options["subcommand"])
        if module is None:
            raise CommandError(f"Unknown subcommand {options['subcommand']!r}.")
        code = module.handle(self, options)
        if code:
            raise SystemExit(code)
