"""Workflow steps: how each backend of a subscription is sent (a delay, a condition at send time).

A subscription's ``steps`` maps a backend (its key, or its id as text) to its settings::

    {"email": {"delay": 3600, "only_if_unread": true}}

``delay``: seconds after the event before the message goes out; ``only_if_unread``: sent only
if the in-site notification of the same event is still unread then (escalation). A backend not
named is sent at once, unconditionally. ``fallback``: sent to a recipient only when the step
before it (the subscription's backends in order) ended dead or undeliverable for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

STEP_OPTIONS = ("delay", "only_if_unread", "fallback")
MAX_DELAY_SECONDS = 366 * 24 * 3600


@dataclass(frozen=True)
class Step:
    """One backend's step of a subscription."""

    delay_seconds: int = 0
    only_if_unread: bool = False
    fallback: bool = False


IMMEDIATE = Step()


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
    )


def steps_errors(steps: Any, backends: list[Any] | None = None) -> list[str]:
    """What is wrong with a subscription's ``steps``; with ``backends``, also names that match none of them."""
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
        for flag in ("only_if_unread", "fallback"):
            if not isinstance(settings.get(flag, False), bool):
                errors.append(_("step %(name)r: %(flag)s must be true or false") % {"name": name, "flag": flag})
    return errors
