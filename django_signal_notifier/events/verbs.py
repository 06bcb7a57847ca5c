"""The signal registry: a verb (a signal's name) mapped to its ``Signal``.

Built-in verbs are Django's model and auth signals. Any other signal is registered under a
name with :func:`register_signal`; a stored trigger names a verb, never a Python path.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import signals as auth_signals
from django.db.models import signals as model_signals
from django.dispatch import Signal

from django_signal_notifier.exceptions import SignalRegistrationError

BUILTIN_SIGNALS: dict[str, Signal] = {
    "pre_save": model_signals.pre_save,
    "post_save": model_signals.post_save,
    "pre_delete": model_signals.pre_delete,
    "post_delete": model_signals.post_delete,
    "m2m_changed": model_signals.m2m_changed,
    "user_logged_in": auth_signals.user_logged_in,
    "user_logged_out": auth_signals.user_logged_out,
    "user_login_failed": auth_signals.user_login_failed,
}

_signals: dict[str, Signal] = dict(BUILTIN_SIGNALS)
_listeners: list[Callable[[str, Signal], None]] = []


def register_signal(name: str, signal: Signal) -> Signal:
    """Make ``signal`` available to triggers under the verb ``name``.

    Registering the same signal twice under one name is harmless; a different signal under a
    taken name is an error. The signal is listened to at once, also after start-up.
    """
    if not name or not isinstance(name, str):
        raise SignalRegistrationError("A signal needs a non-empty string name.")
    if not isinstance(signal, Signal):
        raise SignalRegistrationError(f"{signal!r} registered as {name!r} is not a django.dispatch.Signal.")
    existing = _signals.get(name)
    if existing is not None and existing is not signal:
        raise SignalRegistrationError(f"The verb {name!r} is already registered for another signal.")
    _signals[name] = signal
    for listener in _listeners:
        listener(name, signal)
    return signal


def get_signal(name: str) -> Signal | None:
    """The signal registered as ``name``, or None."""
    return _signals.get(name)


def registered_signals() -> dict[str, Signal]:
    """A copy of the registry: verb -> signal."""
    return dict(_signals)


def verb_choices() -> list[tuple[str, str]]:
    """Choices for forms: every registered verb, built-ins first."""
    builtin = [(name, name) for name in BUILTIN_SIGNALS]
    custom = sorted((name, name) for name in _signals if name not in BUILTIN_SIGNALS)
    return builtin + custom


def on_register(listener: Callable[[str, Signal], None]) -> None:
    """Call ``listener(name, signal)`` for every registered signal, now and later."""
    _listeners.append(listener)
    for name, signal in list(_signals.items()):
        listener(name, signal)
