"""``manage.py run_builtin_signal_trigger``: 0.2.1's interactive command, an alias of ``signal_notifier fire``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_signal_notifier.events.verbs import BUILTIN_SIGNALS
from django_signal_notifier.management.cli import fire
from django_signal_notifier.models import Trigger

ALL_TRIGGERS = "All triggers"


class Command(BaseCommand):
    help = (
        "0.2.1's run_builtin_signal_trigger: choose a trigger of a built-in signal (or give --trigger_id) and an "
        "object of its model, and fire it through the pipeline as `signal_notifier fire TRIGGER --object PK` does. "
        "Interactive unless --trigger_id and, for a trigger on a whole model, --object are given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trigger_id", type=int, help="Id of the trigger in the database.")
        parser.add_argument("--object", dest="object_pk", help="Primary key of the object to fire it with.")
        parser.add_argument("--dry-run", action="store_true", help="Show who would get what; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        trigger = self._trigger(options["trigger_id"])
        if trigger is None:
            return
        self.stdout.write(f"Selected trigger: {trigger.pk} {trigger}")
        object_pk = options["object_pk"] or trigger.action_object_id
        model = trigger.action_object_content_type.model_class() if trigger.action_object_content_type else None
        if object_pk is None and model is not None:
            object_pk = self._ask(
                f"Enter the id of the {model._meta.label} object to send as the signal's instance "
                "(empty: the first one): "
            )
            if not object_pk:
                first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
                if first is None:
                    raise CommandError(f"There is no {model._meta.label} object to fire the trigger with.")
                object_pk = str(first)
        code = fire.handle(
            self,
            {
                "trigger": str(trigger.pk),
                "object_pk": object_pk,
                "kwargs": "",
                "actor": None,
                "dry_run": options["dry_run"],
                "json": False,
            },
        )
        if code:
            raise CommandError("The trigger could not be fired or its messages failed.", returncode=code)

    def _trigger(self, trigger_id: int | None) -> Trigger | None:
        if trigger_id is not None:
            trigger = Trigger.objects.filter(pk=trigger_id).first()
            if trigger is None:
                self.stdout.write(f"There is no trigger with the id {trigger_id}.")
            return trigger
        verbs = [*BUILTIN_SIGNALS, ALL_TRIGGERS]
        self.stdout.write("Select the verb (signal name):")
        for number, verb in enumerate(verbs):
            self.stdout.write(f"{number} ::: {verb}")
        verb = self._choose(verbs, "Select the verb or its line number: ")
        candidates = list(Trigger.objects.all() if verb == ALL_TRIGGERS else Trigger.objects.filter(verb=verb))
        if not candidates:
            self.stdout.write(f"There is no trigger with {verb!r} as its verb (signal name).")
            return None
        self.stdout.write("Select the trigger:")
        for number, candidate in enumerate(candidates):
            self.stdout.write(f"{number} ::: {candidate.pk} {candidate}")
        chosen: Trigger = self._choose(candidates, "Select the line number: ", by_name=False)
        return chosen

    def _choose(self, items: list[Any], prompt: str, by_name: bool = True) -> Any:
        for _attempt in range(10):
            answer = self._ask(prompt)
            if answer.isdigit() and int(answer) < len(items):
                return items[int(answer)]
            if by_name and answer in items:
                return answer
            self.stdout.write("Invalid choice.")
        raise CommandError("No valid choice after 10 answers.")

    def _ask(self, prompt: str) -> str:
        try:
            return input(prompt).strip()
        except EOFError:
            raise CommandError("No answer (standard input closed): give --trigger_id and --object.")
