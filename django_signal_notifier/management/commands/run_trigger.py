"""``manage.py run_trigger``: 0.2.1's command, an alias of ``signal_notifier fire`` for its details functions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_signal_notifier.management.cli.common import CommandInputError
from django_signal_notifier.management.cli.fire import fire_event, spec_of, would_fire
from django_signal_notifier.management.legacy import call_details_function, signal_event
from django_signal_notifier.models import Trigger


class Command(BaseCommand):
    help = (
        "0.2.1's run_trigger: call each details function (it returns {verb: signal_kwargs}) and fire every "
        "trigger of that verb that the kwargs match, through the pipeline, as `signal_notifier fire` does. "
        "Example: python manage.py run_trigger myapp.test_dsn.trigger_get_details1"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "trigger_get_details_functions",
            nargs="+",
            help="Dotted paths of functions that return {verb_name: signal_kwargs}.",
        )
        parser.add_argument(
            "--debug", action="store_true", help="List the triggers that do not match, and raise the errors."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show who would get what; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["trigger_get_details_functions"]:
            details = call_details_function(self, path, options["debug"])
            if details is None:
                continue
            self.stdout.write(f"Running the triggers of {path} …")
            for verb, signal_kwargs in details.items():
                failed += self._fire_verb(verb, dict(signal_kwargs), options)
        if failed:
            raise CommandError(f"{failed} trigger(s) had failed or dead deliveries.", returncode=1)

    def _fire_verb(self, verb: str, signal_kwargs: dict[str, Any], options: dict[str, Any]) -> int:
        triggers = list(Trigger.objects.filter(verb=verb, enabled=True).select_related("action_object_content_type"))
        if not triggers:
            self.stdout.write(f"There is no enabled trigger with {verb!r} as its verb (signal name).")
            return 0
        event = signal_event(verb, signal_kwargs)
        failed = 0
        for trigger in triggers:
            try:
                spec = spec_of(trigger)
            except CommandInputError as problem:
                if options["debug"]:
                    self.stdout.write(f"NOT FIRED trigger {trigger.pk} {str(trigger)!r}: {problem}")
                continue
            if not would_fire(self, spec, event):
                if options["debug"]:
                    self.stdout.write(f"NOT MATCHED trigger {trigger.pk} {str(trigger)!r} on these signal_kwargs.")
                continue
            self.stdout.write(f"MATCHED trigger {trigger.pk} {str(trigger)!r}:")
            failed += bool(fire_event(self, trigger, spec, event, dry_run=options["dry_run"], as_json=False))
        return failed
