"""Messengers that print: the quickstart's channel and a debugging aid."""

from __future__ import annotations

import sys

from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.registry import messenger_registry


@messenger_registry.register
class SimplePrintMessengerTemplateBased(Messenger):
    """Prints each recipient's rendered message to standard output."""

    label = "Print the rendered message (quickstart)"
    default_template = "SimplePrintMessageTemplate"

    def get_address(self, user: object) -> str:
        return str(user) if user is not None else ""

    def send_message(self, message: Message) -> None:
        print(message.text or message.subject, file=sys.stdout, flush=True)


@messenger_registry.register
class SimplePrintMessenger(Messenger):
    """Prints one line per recipient naming the signal and the recipient, ignoring the template."""

    label = "Print a line"
    message = "Send function of SimplePrintMessenger has run."

    def get_address(self, user: object) -> str:
        return str(user) if user is not None else ""

    def send_message(self, message: Message) -> None:
        print(f"{self.message} ({message.verb} → {message.address})", file=sys.stdout, flush=True)
