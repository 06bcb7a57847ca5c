"""``manage.py run_message_template``: 0.2.1's command, an alias of ``signal_notifier render`` for its details functions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_signal_notifier.management.cli import render
from django_signal_notifier.management.legacy import call_details_function, signal_event


class Command(BaseCommand):
    help = (
        "0.2.1's run_message_template: call each details function (it returns {message_template_name: "
        "{'user': …, 'trigger_context': …, 'signal_kwargs': …}}) and print each template rendered for that "
        "user, as `signal_notifier render` does. "
        "Example: python manage.py run_message_template myapp.test_dsn.message_template_get_details_function1"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "message_template_get_details_functions",
            nargs="+",
            help="Dotted paths of functions that return {message_template_name: {user, trigger_context, signal_kwargs}}.",
        )
        parser.add_argument("--debug", action="store_true", help="Raise the errors instead of reporting them.")
        parser.add_argument("--json", action="store_true", help="Print JSON (for scripts).")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for path in options["message_template_get_details_functions"]:
            details = call_details_function(self, path, options["debug"])
            if details is None:
                failed += 1
                continue
            for name, detail in details.items():
                try:
                    user = detail["user"]
                    trigger_context = dict(detail.get("trigger_context") or {})
                    signal_kwargs = dict(detail.get("signal_kwargs") or {})
                except (KeyError, TypeError) as problem:
                    if options["debug"]:
                        raise
                    self.stderr.write(
                        f"{path}: the details of {name!r} need 'user', 'trigger_context' and "
                        f"'signal_kwargs' ({type(problem).__name__}: {problem})."
                    )
                    failed += 1
                    continue
                if not options["json"]:
                    self.stdout.write(self.style.MIGRATE_HEADING(f"{name} for {user} ({path}):"))
                event = signal_event(
                    str(trigger_context.get("verb") or "post_save"), _kwargs(trigger_context, signal_kwargs)
                )
                failed += bool(render.show(self, name, user, event, language=None, as_json=options["json"]))
        if failed:
            raise CommandError(f"{failed} message template(s) could not be rendered.", returncode=1)


def _kwargs(trigger_context: dict[str, Any], signal_kwargs: dict[str, Any]) -> dict[str, Any]:
    """0.2.1 rendered with trigger_context over signal_kwargs: its object, actor and target fill the gaps."""
    kwargs = dict(signal_kwargs)
    action_object = trigger_context.get("action_object")
    if "instance" not in kwargs and action_object is not None and not isinstance(action_object, type):
        kwargs["instance"] = action_object
    for name in ("actor_object", "target"):
        if kwargs.get(name) is None and trigger_context.get(name) is not None:
            kwargs[name] = trigger_context[name]
    return kwargs
