"""The message-template registry: stored backends name a template class by its name.

Names starting with ``db:`` are stored templates (``StoredTemplate`` rows), resolved on demand.
"""

from __future__ import annotations

from django_signal_notifier.exceptions import MessageTemplateError
from django_signal_notifier.registry import Registry
from django_signal_notifier.rendering.base import MessageTemplate


class TemplateRegistry(Registry[type[MessageTemplate]]):
    """Code template classes by name, plus ``db:<name>`` for templates stored in the database."""

    def get(self, name: str) -> type[MessageTemplate] | None:
        if name.startswith("db:"):
            from django_signal_notifier.rendering.stored import stored_template_class

            return stored_template_class(name)
        return super().get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def choices(self) -> list[tuple[str, str]]:
        from django_signal_notifier.rendering.stored import stored_template_choices

        return super().choices() + stored_template_choices()


template_registry = TemplateRegistry("message template", MessageTemplate, MessageTemplateError)
register_message_template = template_registry.register
