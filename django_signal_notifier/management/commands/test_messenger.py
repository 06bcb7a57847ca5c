"""``manage.py test_messenger``: 0.2.1's command, an alias of ``signal_notifier test-send --messenger``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from django_signal_notifier.management.cli import trial_send
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.messengers.registry import messenger_registry

USAGE = (
    "Give three parameters:\n"
    "    test_messenger <module_path.MessengerClass> <user_identification> <test_message>\n"
    "    test_messenger <module_path.MessengerClass> <user_identification> '<long test message>'"
)


class Command(BaseCommand):
    help = (
        "0.2.1's test_messenger: send a test message through a messenger to an address (an email address, a "
        "Telegram chat id…; a username for the in-site inbox), as `signal_notifier test-send --messenger` does. "
        "A 0.2.1 messenger class with its own test_send() is called as 0.2.1 did. "
        "Example: python manage.py test_messenger django_signal_notifier.messengers.SimplePrintMessenger user1 hi"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "parameters",
            nargs="+",
            help="The messenger class's dotted path (or registered name), the user identification, the message.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if len(options["parameters"]) != 3:
            raise CommandError(USAGE)
        path, identification, text = options["parameters"]
        messenger_cls = _messenger_class(path)
        own_test_send = _own_test_send(messenger_cls)
        if own_test_send:
            self.stdout.write(f"Running {messenger_cls.__name__}.test_send() …")
            messenger_cls.test_send(user_identification=identification, test_message=text)
            return
        name = messenger_cls.channel_name()
        registered = messenger_registry.get(name)
        if registered is None or registered is not messenger_cls:
            raise CommandError(f"{path} is not a registered messenger and has no test_send().")
        # An inbox messenger writes to a user (identified by username); the others send to an address.
        if registered.inline:
            recipient = {"user": identification, "address": None}
        else:
            recipient = {"user": None, "address": identification}
        code = trial_send.handle(self, {"backend": None, "messenger": name, "text": text, "json": False, **recipient})
        if code:
            raise CommandError("The test message was not sent.", returncode=code)


def _messenger_class(path: str) -> Any:
    found: Any = messenger_registry.get(path)
    if found is not None:
        return found
    try:
        candidate = import_string(path)
    except ImportError as problem:
        raise CommandError(f"Cannot import {path!r}: {problem}")
    if not isinstance(candidate, type):
        raise CommandError(f"{path} is not a messenger class.")
    return candidate


def _own_test_send(messenger_cls: type) -> bool:
    """A 0.2.1 messenger defines test_send(user_identification, test_message); this package's do not."""
    for klass in messenger_cls.__mro__:
        if klass is Messenger:
            return False
        if "test_send" in klass.__dict__:
            return True
    return False
