"""Trigger conditions: data, not code. Checked in the admin, compiled by the index, evaluated here.

A condition is ``{"field": name, "op": operator, "value": value}``; every condition of a
trigger must hold. Operators: ``created`` (post_save's flag; ``value`` defaults to true),
``eq``, ``ne``, ``in``, ``not_in``, ``changed``, ``changed_to``, ``changed_from`` and
``callable`` (``value`` is the name a ``function(event) -> bool`` is registered under with
:func:`django_signal_notifier.condition`). Nothing is eval'd or imported from stored data.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from django_signal_notifier.events.previous import ABSENT, UNKNOWN, previous_value
from django_signal_notifier.events.snapshot import SignalEvent, is_model_instance
from django_signal_notifier.registry import CONDITION, registered_callable, unregistered_callable_problem

logger = logging.getLogger("django_signal_notifier.conditions")

FIELD_OPS = ("eq", "ne", "in", "not_in", "changed", "changed_to", "changed_from")
PREVIOUS_OPS = ("changed", "changed_to", "changed_from")
OPS = ("created", *FIELD_OPS, "callable")
_KEYS = {"field", "op", "value"}


@dataclass(frozen=True)
class Condition:
    """One compiled (and so valid) condition."""

    op: str
    attname: str = ""
    value: Any = None
    field: Any = None  # the model field, to coerce the instance's current value
    function: Callable[[SignalEvent], Any] | None = None
    label: str = ""

    @property
    def needs_previous(self) -> bool:
        return self.op in PREVIOUS_OPS


def _compile(raw: Any, model: Any, verb: str) -> Condition:
    """Check one raw condition and compile it; raises ValueError with a message for the admin."""
    if not isinstance(raw, dict):
        raise ValueError(_('must be an object like {"field": "status", "op": "eq", "value": "published"}'))
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ValueError(_("unknown keys %(keys)s (use field, op and value)") % {"keys": ", ".join(unknown)})
    op = raw.get("op")
    if op not in OPS:
        raise ValueError(_("unknown op %(op)r; choose one of %(ops)s") % {"op": op, "ops": ", ".join(OPS)})
    label = f"{raw.get('field', '')} {op} {raw.get('value', '')!r}".strip()
    if op == "created":
        if verb != "post_save":
            raise ValueError(_("created is only sent by post_save, not by %(verb)s") % {"verb": verb})
        value = raw.get("value", True)
        if not isinstance(value, bool):
            raise ValueError(_("created takes true or false, not %(value)r") % {"value": value})
        return Condition(op, value=value, label=label)
    if op == "callable":
        name = raw.get("value")
        if not isinstance(name, str) or not name:
            raise ValueError(_('callable needs "value": the registered name of a function(event) -> bool'))
        problem = unregistered_callable_problem(CONDITION, name)
        if problem:
            raise ValueError(problem)
        return Condition(op, function=registered_callable(CONDITION, name), label=label)
    if model is None:
        raise ValueError(_("a field condition needs the trigger's sender model: choose one"))
    name = raw.get("field")
    if not isinstance(name, str) or not name:
        raise ValueError(
            _('%(op)s needs "field": the name of a field of %(model)s') % {"op": op, "model": _name(model)}
        )
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        choices = ", ".join(f.name for f in model._meta.concrete_fields)
        raise ValueError(
            _("%(model)s has no field %(field)r; its fields are %(choices)s")
            % {"model": _name(model), "field": name, "choices": choices}
        )
    if not getattr(field, "concrete", False) or field.many_to_many:
        raise ValueError(_("%(field)r is not a column of %(model)s") % {"field": name, "model": _name(model)})
    if op == "changed":
        if "value" in raw:
            raise ValueError(_("changed takes no value (use changed_to or changed_from)"))
        return Condition(op, attname=field.attname, field=field, label=label)
    if "value" not in raw:
        raise ValueError(_('%(op)s needs "value"') % {"op": op})
    value = raw["value"]
    if op in ("in", "not_in"):
        if not isinstance(value, list):
            raise ValueError(_("%(op)s takes a list of values, not %(value)r") % {"op": op, "value": value})
        coerced: Any = tuple(_coerce(field, item) for item in value)
    else:
        coerced = _coerce(field, value)
    return Condition(op, attname=field.attname, value=coerced, field=field, label=label)


def _coerce(field: Any, value: Any) -> Any:
    if value is None:
        if not field.null:
            raise ValueError(_("%(field)s cannot be null") % {"field": field.name})
        return None
    if isinstance(value, (dict, list)):
        raise ValueError(_("bad value type for %(field)s: %(value)r") % {"field": field.name, "value": value})
    try:
        coerced = field.to_python(value)
    except (ValidationError, TypeError, ValueError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        message = message.rstrip(".")
        raise ValueError(
            _("bad value type for %(field)s: %(value)r (%(message)s)")
            % {"field": field.name, "value": value, "message": message}
        )
    if isinstance(coerced, datetime.datetime):
        _check_time_zone(field, value, coerced)
    return coerced


def _check_time_zone(field: Any, value: Any, coerced: datetime.datetime) -> None:
    """A datetime compared with a column must be aware exactly when ``USE_TZ`` is on, else it never matches."""
    aware = timezone.is_aware(coerced)
    if settings.USE_TZ and not aware:
        raise ValueError(
            _(
                "%(value)r for %(field)s has no time zone and would never match (USE_TZ is on); add one, e.g. %(example)s"
            )
            % {"value": value, "field": field.name, "example": f"{coerced.isoformat()}+00:00"}
        )
    if not settings.USE_TZ and aware:
        raise ValueError(
            _("%(value)r for %(field)s has a time zone but USE_TZ is off; give the local time without one")
            % {"value": value, "field": field.name}
        )


def _name(model: Any) -> str:
    return str(model._meta.label)


def validate_conditions(conditions: Any, model: Any, verb: str) -> list[str]:
    """What is wrong with a trigger's conditions, one message per bad condition (empty: they are usable).

    The one validation of every way in: the admin's form and the model's ``clean()`` (through
    :mod:`~django_signal_notifier.config.problems`), ``declare()`` and the trigger index.
    """
    return _checked(conditions, model, verb)[1]


def _checked(conditions: Any, model: Any, verb: str) -> tuple[tuple[Condition, ...], list[str]]:
    if conditions in (None, ""):
        return (), []
    if not isinstance(conditions, list):
        return (), [_("Conditions must be a list of objects.")]
    compiled: list[Condition] = []
    errors: list[str] = []
    for number, raw in enumerate(conditions, start=1):
        try:
            compiled.append(_compile(raw, model, verb))
        except ValueError as error:
            errors.append(_("Condition %(number)s: %(error)s.") % {"number": number, "error": error})
    return tuple(compiled), errors


def compile_conditions(trigger: Any, model: Any, problems: list[str]) -> tuple[Condition, ...] | None:
    """The trigger's compiled conditions, or None when any is unusable (each is then added to ``problems``).

    The index leaves such a trigger out: it never matches until its conditions are fixed.
    """
    try:
        compiled, errors = _checked(trigger.conditions, model, trigger.verb)
    except Exception as error:  # whatever a hand-written row holds, the index still loads
        errors = [_("Conditions could not be read: %(error)r.") % {"error": error}]
    if not errors:
        return compiled
    problems.extend(
        _("Trigger %(pk)s (%(trigger)s): %(error)s The trigger is left out until this is fixed.")
        % {"pk": trigger.pk, "trigger": trigger, "error": error}
        for error in errors
    )
    return None


def conditions_hold(spec: Any, event: SignalEvent) -> bool:
    """Whether every condition of ``spec`` holds for ``event``.

    A callable that fails, even by calling ``sys.exit``, counts as false.
    """
    for condition in spec.conditions:
        try:
            if not _holds(condition, event):
                return False
        except (Exception, SystemExit):  # a callable's sys.exit() must not end the user's request
            logger.exception(
                "django-signal-notifier: condition %s of trigger %s %r raised; the trigger does not match",
                condition.label,
                spec.id,
                spec.name,
            )
            return False
    return True


def _holds(condition: Condition, event: SignalEvent) -> bool:
    op = condition.op
    if op == "created":
        return event.created is not None and event.created == condition.value
    if op == "callable":
        assert condition.function is not None
        return bool(condition.function(event))
    instance = event.instance
    if not is_model_instance(instance):
        return False
    current = _current(condition, instance)
    if op == "eq":
        return bool(current == condition.value)
    if op == "ne":
        return bool(current != condition.value)
    if op == "in":
        return current in condition.value
    if op == "not_in":
        return current not in condition.value
    previous = previous_value(instance, condition.attname, event.verb)
    if previous is UNKNOWN:
        return False
    if previous is not ABSENT:
        previous = _coerced(condition.field, previous)
    if op == "changed":
        return previous is ABSENT or bool(previous != current)
    if op == "changed_to":
        return bool(current == condition.value) and (previous is ABSENT or bool(previous != condition.value))
    # changed_from
    return previous is not ABSENT and bool(previous == condition.value) and bool(current != condition.value)


def _current(condition: Condition, instance: Any) -> Any:
    return _coerced(condition.field, getattr(instance, condition.attname))


def _coerced(field: Any, value: Any) -> Any:
    if value is None:
        return None
    try:
        return field.to_python(value)
    except Exception:
        return value


def compile_condition(raw: Any, model: Any, verb: str) -> Condition:
    """One condition compiled (a step's ``only_if``); raises ValueError with a message for the admin."""
    return _compile(raw, model, verb)


def condition_holds(condition: Condition, event: SignalEvent) -> bool:
    """Whether one compiled condition holds for ``event`` (exceptions are the caller's to handle)."""
    return _holds(condition, event)
