"""The message-template registry: stored backends name a template class by its name.

Names starting with ``db:`` are stored templates (``StoredTemplate`` rows), resolved on demand.
"""

from __future__ import annotations

from typing import Protocol

from django_signal_notifier.exceptions import MessageTemplateError
from django_signal_notifier.registry import Registry
from django_signal_notifier.rendering.base import MessageTemplate


class StoredTemplates(Protocol):
    """Where ``db:<name>`` templates come from (:mod:`django_signal_notifier.rendering.stored`)."""

    def template_class(self, name: str) -> type[MessageTemplate] | None: ...
    def choices(self) -> list[tuple[str, str]]: ...


class TemplateRegistry(Registry[type[MessageTemplate]]):
    """Code template classes by name, plus ``db:<name>`` for templates stored in the database.

    The stored templates plug themselves in when the app is ready; before that (and in a process
    that never loads Django's models) ``db:`` names resolve to nothing.
    """

    stored: StoredTemplates | None = None

    def get(self, name: str) -> type[MessageTemplate] | None:
        if name.startswith("db:"):
            return self.stored.template_class(name) if self.stored is not None else None
        return super().get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def choices(self) -> list[tuple[str, str]]:
        return super().choices() + (self.stored.choices() if self.stored is not None else [])


template_registry = TemplateRegistry("message template", MessageTemplate, MessageTemplateError)
register_message_template = template_registry.register
