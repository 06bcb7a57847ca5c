"""A messenger that sends nothing: S6 measures the worker and the outbox, not a network."""

from __future__ import annotations

from django_signal_notifier.messengers.base import Message, Messenger


class NullMessenger(Messenger):
    """Accepts every message and writes it nowhere."""

    label = "Null (benchmarks)"

    def send_message(self, message: Message) -> None:
        return None
