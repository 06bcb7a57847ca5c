"""A real messenger for the tests of preferences, i18n and digests: it keeps what it sent."""

from __future__ import annotations

from typing import Any, ClassVar

from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.registry import messenger_registry


@messenger_registry.register
class EmailRecordingMessenger(Messenger):
    """Sends to an in-process list (one per test, cleared by the fixture)."""

    label = "Recording"
    sent: ClassVar[list[Message]] = []

    def get_address(self, user: Any) -> str | None:
        return getattr(user, "email", None) or None

    def send_message(self, message: Message) -> None:
        EmailRecordingMessenger.sent.append(message)


def language_of(user: Any) -> str:
    """The tests' LANGUAGE_GETTER: Spanish for addresses at a .es domain."""
    return "es" if (user.email or "").endswith(".es") else "en"
