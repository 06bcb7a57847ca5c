"""Message templates: the base class, the registry and the built-in templates.

``BaseMessageTemplate`` and ``Add_Message_Template`` are 0.2.1's names, kept for its users.
"""

from __future__ import annotations

from django_signal_notifier.rendering.base import MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.builtin import DefaultMessageTemplate, SimplePrintMessageTemplate
from django_signal_notifier.rendering.digest import DigestMessageTemplate
from django_signal_notifier.rendering.registry import register_message_template, template_registry

BaseMessageTemplate = MessageTemplate


def Add_Message_Template(message_template: type[MessageTemplate]) -> type[MessageTemplate]:  # noqa: N802
    """0.2.1's name for :func:`register_message_template`."""
    return template_registry.register(message_template)


__all__ = [
    "Add_Message_Template",
    "BaseMessageTemplate",
    "DefaultMessageTemplate",
    "DigestMessageTemplate",
    "MessageTemplate",
    "RenderedMessage",
    "SimplePrintMessageTemplate",
    "register_message_template",
    "template_registry",
]
