"""Workflow steps: how each backend of a subscription is sent (a delay or a time, a condition, quiet hours).

A subscription's ``steps`` maps a backend (its key, or its id as text) to its settings::

    {"email": {"delay": 3600, "only_if_unread": true}}
    {"email": {"send_at": "appointment.starts_at", "offset": "-1h"}}

``delay``: seconds after the event before the message goes out; ``send_at``: a field path on the
event's object giving the time instead (``offset`` moves it, ``past`` says what to do when that
time has already gone: ``"send"`` at once, the default, or ``"skip"``); ``only_if_unread``: sent
only if the in-site notification of the same event is still unread then (escalation);
``fallback``: sent to a recipient only when the step before it (the subscription's backends in
order) ended dead or undeliverable for them; ``urgent``: not held by the recipient's quiet hours.
A backend not named is sent at once, unconditionally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from django_signal_notifier.config.conditions import compile_condition

STEP_OPTIONS = ("delay", "send_at", "offset", "past", "only_if_unread", "only_if", "fresh", "fallback", "urgent")
FLAGS = ("only_if_unread", "fresh", "fallback", "urgent")
# The condition operators that read a state (not a change), so that they mean something at send time.
SEND_TIME_OPS = ("eq", "ne", "in", "not_in", "callable")
PAST_CHOICES = ("send", "skip")
MAX_DELAY_SECONDS = 366 * 24 * 3600
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
OFFSET = re.compile(r"^([+-]?)((?:\d+[smhdw])+)$")
OFFSET_PART = re.compile(r"(\d+)([smhdw])")


@dataclass(frozen=True)
class Step:
    """One backend's step of a subscription."""

    delay_seconds: int = 0
    only_if_unread: bool = False
    fallback: bool = False
    send_at: str = ""  # a field path on the event's object: the step's time
    offset_seconds: int = 0  # added to the send_at time (negative: before it)
    skip_if_past: bool = False
    urgent: bool = False  # not held by quiet hours
    only_if: tuple[Any, ...] = field(default=(), compare=False)  # conditions (trigger language) at send time
    fresh: bool = False  # only_if is checked against the object re-read from the database


IMMEDIATE = Step()


def parse_offset(value: Any) -> int | None:
    """An offset in seconds: a whole number, or text such as ``"-1h"``, ``"+2d"``, ``"-1h30m"``; None if malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    match = OFFSET.match(value.strip().replace(" ", ""))
    if not match:
        return None
    seconds = sum(int(number) * UNITS[unit] for number, unit in OFFSET_PART.findall(match.group(2)))
    return -seconds if match.group(1) == "-" else seconds


def step_for(steps: Any, backend: Any) -> Step:
    """The step of ``backend`` (a Backend row) in a subscription's ``steps``; at once when not named or malformed."""
    if not isinstance(steps, dict):
        return IMMEDIATE
    settings = steps.get(backend.key) if backend.key else None
    if settings is None:
        settings = steps.get(str(backend.pk))
    if not isinstance(settings, dict) or steps_errors({"step": settings}):
        return IMMEDIATE
    return Step(
        delay_seconds=int(settings.get("delay") or 0),
        only_if_unread=bool(settings.get("only_if_unread")),
        fallback=bool(settings.get("fallback")),
        send_at=str(settings.get("send_at") or ""),
        offset_seconds=parse_offset(settings.get("offset", 0)) or 0,
        skip_if_past=settings.get("past") == "skip",
        urgent=bool(settings.get("urgent")),
        only_if=tuple(settings.get("only_if") or ()),
        fresh=bool(settings.get("fresh")),
    )


def steps_errors(steps: Any, backends: list[Any] | None = None, model: Any = None) -> list[str]:
    """What is wrong with a subscription's ``steps``.

    With ``backends``, also the names that match none of them; with ``model`` (the trigger's
    sender model), also ``send_at`` paths that do not lead to a date or time on it.
    """
    if steps in (None, ""):
        return []
    if not isinstance(steps, dict):
        return [_("Steps must be a JSON object: {backend key or id: {option: value}}.")]
    errors = []
    known = None if backends is None else {b.key for b in backends if b.key} | {str(b.pk) for b in backends}
    for name, settings in steps.items():
        if known is not None and name not in known:
            errors.append(_("step %(name)r names none of the subscription's backends") % {"name": name})
        if not isinstance(settings, dict):
            errors.append(_("step %(name)r must be a JSON object") % {"name": name})
            continue
        errors.extend(_option_errors(name, settings, model))
    return errors


def _option_errors(name: str, settings: dict[str, Any], model: Any) -> list[str]:
    errors = []
    unknown = sorted(set(settings) - set(STEP_OPTIONS))
    if unknown:
        errors.append(
            _("step %(name)r: unknown options %(unknown)s (known: %(known)s)")
            % {"name": name, "unknown": ", ".join(unknown), "known": ", ".join(STEP_OPTIONS)}
        )
    delay = settings.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY_SECONDS:
        errors.append(
            _("step %(name)r: delay must be a whole number of seconds from 0 to %(max)s")
            % {"name": name, "max": MAX_DELAY_SECONDS}
        )
    for flag in FLAGS:
        if not isinstance(settings.get(flag, False), bool):
            errors.append(_("step %(name)r: %(flag)s must be true or false") % {"name": name, "flag": flag})
    send_at = settings.get("send_at", "")
    if not isinstance(send_at, str):
        errors.append(_('step %(name)r: send_at must be a field path such as "starts_at"') % {"name": name})
        send_at = ""
    if send_at and delay:
        errors.append(_("step %(name)r: give either delay or send_at, not both") % {"name": name})
    offset = parse_offset(settings.get("offset", 0))
    if offset is None or abs(offset) > MAX_DELAY_SECONDS:
        errors.append(
            _('step %(name)r: offset must be seconds or text such as "-1h", "+2d", "-1h30m" (at most a year)')
            % {"name": name}
        )
    if ("offset" in settings or "past" in settings) and not send_at:
        errors.append(_("step %(name)r: offset and past apply to send_at, which is missing") % {"name": name})
    if settings.get("past", "send") not in PAST_CHOICES:
        errors.append(_('step %(name)r: past must be "send" or "skip"') % {"name": name})
    errors.extend(_only_if_errors(name, settings.get("only_if", []), model))
    if settings.get("fresh") and not settings.get("only_if"):
        errors.append(_("step %(name)r: fresh applies to only_if, which is missing") % {"name": name})
    if send_at and model is not None:
        problem = time_path_problem(model, send_at)
        if problem:
            errors.append(_("step %(name)r: %(problem)s") % {"name": name, "problem": problem})
    return errors


def _only_if_errors(name: str, only_if: Any, model: Any) -> list[str]:
    """The step's send-time conditions: a list in the triggers' language, of state operators only."""
    if not isinstance(only_if, list):
        return [
            _(
                'step %(name)r: only_if must be a list of conditions such as {"field": "status", "op": "eq", "value": "open"}'
            )
            % {"name": name}
        ]
    errors = []
    for number, raw in enumerate(only_if, start=1):
        op = raw.get("op") if isinstance(raw, dict) else None
        if op not in SEND_TIME_OPS:
            errors.append(
                _(
                    "step %(name)r: only_if condition %(number)s: the op must be one of %(ops)s (a state when the step is sent)"
                )
                % {"name": name, "number": number, "ops": ", ".join(SEND_TIME_OPS)}
            )
            continue
        if model is None and op != "callable":
            continue  # checked once the trigger's model is known
        try:
            compile_condition(raw, model, "post_save")
        except ValueError as error:
            errors.append(
                _("step %(name)r: only_if condition %(number)s: %(error)s")
                % {"name": name, "number": number, "error": error}
            )
    return errors


def time_path_problem(model: Any, path: str) -> str:
    """Why ``path`` does not lead from ``model`` to a date or date-time field ("" when it does)."""
    current = model
    parts = path.split(".")
    for position, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return _("send_at %(path)r: %(model)s has no field %(part)r") % {
                "path": path,
                "model": current.__name__,
                "part": part,
            }
        last = position == len(parts) - 1
        if last:
            if not isinstance(field, models.DateField):  # DateTimeField is a DateField
                return _("send_at %(path)r: %(part)r is a %(type)s, not a date or date-time") % {
                    "path": path,
                    "part": part,
                    "type": type(field).__name__,
                }
            return ""
        if not (field.many_to_one or field.one_to_one) or field.related_model is None:
            return _("send_at %(path)r: %(part)r is not a foreign key to follow") % {"path": path, "part": part}
        current = field.related_model
    return ""


class NoSendTime(Exception):
    """The event's object gives no time for a send_at step (the field is empty or not a time)."""


def time_on(instance: Any, path: str) -> datetime:
    """The aware date-time at ``path`` on ``instance`` (a date is its midnight in the current time zone)."""
    value = instance
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            raise NoSendTime(_("send_at %(path)r is empty on the event's object") % {"path": path})
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    raise NoSendTime(_("send_at %(path)r is not a date or time: %(value)r") % {"path": path, "value": value})


def send_at_time(step_path: str, offset_seconds: int, instance: Any) -> datetime:
    """A send_at step's time for ``instance``: the field's time plus the offset."""
    return time_on(instance, step_path) + timedelta(seconds=offset_seconds)


def describe(step: Step) -> str:
    """The step in a few words, as the admin and the dry run show it: "1 h after the event, only if unread"."""
    if step.send_at:
        when = _("at %(path)s") % {"path": step.send_at}
        if step.offset_seconds:
            when = _("%(offset)s from %(path)s") % {
                "offset": _duration(step.offset_seconds, signed=True),
                "path": step.send_at,
            }
        if step.skip_if_past:
            when += _(" (skipped if passed)")
    elif step.delay_seconds:
        when = _("%(delay)s after the event") % {"delay": _duration(step.delay_seconds)}
    else:
        when = _("at once")
    parts = [when]
    if step.fallback:
        parts.append(_("only if the step before ended dead or undeliverable"))
    if step.only_if_unread:
        parts.append(_("only if the in-site notification is unread"))
    if step.only_if:
        labels = " and ".join(
            f"{raw.get('field', '')} {raw.get('op', '')} {raw.get('value', '')!r}".strip()
            if isinstance(raw, dict)
            else "?"
            for raw in step.only_if
        )
        parts.append(
            (_("only if %(conditions)s (re-read when sent)") if step.fresh else _("only if %(conditions)s"))
            % {"conditions": labels}
        )
    if step.urgent:
        parts.append(_("urgent (not held by quiet hours)"))
    return ", ".join(str(part) for part in parts)


def _duration(seconds: int, signed: bool = False) -> str:
    sign = ("-" if seconds < 0 else "+") if signed else ""
    left = abs(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size} {unit}")
            left %= size
    return sign + " ".join(parts or ["0 s"])
