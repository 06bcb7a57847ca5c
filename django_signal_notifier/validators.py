"""Field validators shared by the configuration models."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_message_template_name(value: str) -> None:
    """An empty value or the name of a registered message template."""
    from django_signal_notifier.message_templates.registry import template_registry

    if value and template_registry.get(value) is None:
        raise ValidationError(
            _("No message template is registered as %(name)s."), code="unknown_template", params={"name": value}
        )
