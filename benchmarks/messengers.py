"""The benchmarks' messenger and message template.

``NullMessenger`` sends nothing: S6 measures the worker and the outbox, not a network.
"""

from __future__ import annotations

from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.rendering.base import MessageTemplate


class NullMessenger(Messenger):
    """Accepts every message and writes it nowhere."""

    label = "Null (benchmarks)"

    def send_message(self, message: Message) -> None:
        return None


class ReferenceEmailTemplate(MessageTemplate):
    """S4's messages: the subject and text body that the reference gives ``send_mass_mail``."""

    label = "S4: the reference's message (benchmarks)"
    subject = "{{ action }} {{ instance_type }} “{{ instance }}”"
    template_string = "{{ action }} {{ instance_type }} “{{ instance }}”."
