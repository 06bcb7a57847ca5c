"""Field validators of the configuration models (their path is recorded in migrations)."""

from __future__ import annotations

import string
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


GROUP_KEY_FIELDS = ("verb", "actor", "action_object", "target", "trigger", "subscription")


def group_key_template_errors(value: str) -> list[str]:
    """What is wrong with a custom group key template (``"{verb}:{target}"``); [] when it is usable."""
    if not value:
        return []
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as error:
        return [str(_("The group key template is malformed: %(error)s.") % {"error": error})]
    errors = []
    for _literal, field_name, format_spec, conversion in parts:
        if field_name is None:
            continue
        if field_name not in GROUP_KEY_FIELDS or format_spec or conversion:
            errors.append(
                str(
                    _("Unknown field {%(field)s} in the group key template; use %(fields)s.")
                    % {"field": field_name, "fields": ", ".join(f"{{{name}}}" for name in GROUP_KEY_FIELDS)}
                )
            )
    if not any(field for _literal, field, _spec, _conv in parts if field):
        errors.append(str(_("The group key template names no field, e.g. {verb}:{target}.")))
    return errors


def validate_group_key_template(value: str) -> None:
    """An empty value or a template naming only the fields of :data:`GROUP_KEY_FIELDS`."""
    errors = group_key_template_errors(value)
    if errors:
        raise ValidationError(errors, code="bad_group_key")
