"""TestMessenger: a channel for tests that keeps its messages in memory (like Django's locmem email)."""

from __future__ import annotations

from typing import Any, ClassVar

from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.options import CHOICE, Option
from django_signal_notifier.messengers.registry import messenger_registry


@messenger_registry.register
class TestMessenger(Messenger):
    """Appends each message to ``TestMessenger.outbox`` instead of sending it.

    Registered as ``"TestMessenger"``. Backend option ``fail``: ``"transient"`` (retried),
    ``"permanent"`` (dead) or ``"skip"`` makes every send fail that way, to test failure paths.
    The address is the user's e-mail, or the username when there is none.
    """

    __test__ = False  # not a pytest test class
    label = "Test messenger (keeps messages in memory)"
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "fail",
            "Fail",
            "Make every send fail this way, to test failure paths.",
            kind=CHOICE,
            choices=(("transient", "transient (retried)"), ("permanent", "permanent (dead)"), ("skip", "skip")),
        ),
    )
    outbox: ClassVar[list[Message]] = []

    def get_address(self, user: Any) -> str | None:
        if user is None:
            return None
        return str(getattr(user, "email", "") or user.get_username())

    def send_message(self, message: Message) -> None:
        failure = self.options.get("fail")
        if failure == "transient":
            raise TransientDeliveryError("TestMessenger: simulated transient failure")
        if failure == "permanent":
            raise PermanentDeliveryError("TestMessenger: simulated permanent failure")
        if failure == "skip":
            raise SkipDelivery("TestMessenger: simulated skip")
        TestMessenger.outbox.append(message)
