"""Field validators of the configuration models (their path is recorded in migrations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.registry import registry_of

Cleaner = Callable[[Any], dict[str, Any]]
_CLEANERS: dict[str, Cleaner] = {}


def cleans(model_name: str) -> Callable[[Cleaner], Cleaner]:
    """Register the function that says what is wrong with a ``model_name`` row (a field -> errors dict).

    The configuration models call :func:`clean_row` from ``clean()``; the stage that owns the
    rules (:mod:`django_signal_notifier.config.problems`, :mod:`django_signal_notifier.rendering.stored`)
    registers them when the app is ready.
    """

    def add(cleaner: Cleaner) -> Cleaner:
        _CLEANERS[model_name] = cleaner
        return cleaner

    return add


def clean_row(instance: Any) -> None:
    """Raise ``ValidationError`` with every problem of ``instance`` by field."""
    cleaner = _CLEANERS.get(type(instance)._meta.model_name)
    errors = cleaner(instance) if cleaner is not None else {}
    if errors:
        raise ValidationError(errors)


def validate_message_template_name(value: str) -> None:
    """An empty value or the name of a registered message template."""
    if value and registry_of("message template").get(value) is None:
        raise ValidationError(
            _("No message template is registered as %(name)s."), code="unknown_template", params={"name": value}
        )
