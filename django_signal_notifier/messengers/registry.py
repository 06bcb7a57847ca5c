"""The messenger registry: stored backends name a messenger class by its name."""

from __future__ import annotations

from django_signal_notifier.exceptions import MessengerError
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.registry import Registry

messenger_registry: Registry[type[Messenger]] = Registry("messenger", Messenger, MessengerError)
register_messenger = messenger_registry.register
