"""Field validators of the configuration models (their path is recorded in migrations)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.registry import registry_of


def validate_message_template_name(value: str) -> None:
    """An empty value or the name of a registered message template."""
    if value and registry_of("message template").get(value) is None:
        raise ValidationError(
            _("No message template is registered as %(name)s."), code="unknown_template", params={"name": value}
        )
