"""The messenger registry: stored backends name a messenger class by its name."""

from __future__ import annotations

from django_signal_notifier.exceptions import MessengerError
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.registry import Registry

messenger_registry: Registry[type[Messenger]] = Registry("messenger", Messenger, MessengerError)
register_messenger = messenger_registry.register


def template_name(message_template: str | None, messenger: str) -> str:
    """The message template a backend renders with: its own, else its messenger's default ("" when neither).

    The one place that says it: the fan-out, the outbox, ``notify()``, the checks, the admin and
    the CLI all ask here.
    """
    if message_template:
        return message_template
    messenger_cls = messenger_registry.get(messenger)
    return (messenger_cls.default_template or "") if messenger_cls is not None else ""
