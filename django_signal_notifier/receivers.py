"""Signal wiring: one receiver per registered verb, connected once, never per trigger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from django_signal_notifier import previous as previous_values
from django_signal_notifier.index import trigger_index
from django_signal_notifier.verbs import on_register

_connected: set[str] = set()


def make_receiver(verb: str) -> Callable[..., None]:
    """The receiver of ``verb``: an index lookup, then (only on a hit) the dispatcher."""
    lookup = trigger_index.lookup

    def dispatch_hits(sender: Any, kwargs: dict[str, Any]) -> None:
        candidates = lookup(verb, sender)
        if not candidates and verb == "m2m_changed":
            # m2m_changed's sender is the through model; triggers name the changed model.
            instance = kwargs.get("instance")
            candidates = lookup(verb, instance if isinstance(instance, type) else type(instance))
        if candidates:
            from django_signal_notifier.dispatch import dispatch

            dispatch(verb, sender, kwargs, candidates)

    # Previous values for changed_to/changed_from conditions ride on the save receivers (a
    # dictionary lookup for untracked models) instead of costing every save two more receivers.
    if verb == "pre_save":

        def receive(sender: Any, **kwargs: Any) -> None:
            dispatch_hits(sender, kwargs)  # first: the lookup (re)builds the index and the tracking
            if sender in previous_values.tracked_models():
                previous_values.fix_before_save(sender, **kwargs)

    elif verb == "post_save":

        def receive(sender: Any, **kwargs: Any) -> None:
            dispatch_hits(sender, kwargs)  # matching reads the values fixed in pre_save
            if sender in previous_values.tracked_models():
                previous_values.move_snapshot(sender, **kwargs)

    else:

        def receive(sender: Any, **kwargs: Any) -> None:
            dispatch_hits(sender, kwargs)

    receive.__name__ = f"signal_notifier_receive_{verb}"
    receive.__qualname__ = receive.__name__
    return receive


def _connect(verb: str, signal: Signal) -> None:
    if verb in _connected:
        return
    signal.connect(make_receiver(verb), weak=False, dispatch_uid=f"django_signal_notifier:{verb}")
    _connected.add(verb)


def connect_all() -> None:
    """Listen to every registered signal, and to those registered later. Idempotent."""
    on_register(_connect)


def disconnect_all() -> None:
    """Stop listening (used by benchmarks to measure the reference)."""
    from django_signal_notifier.verbs import registered_signals

    for verb, signal in registered_signals().items():
        if verb in _connected:
            signal.disconnect(dispatch_uid=f"django_signal_notifier:{verb}")
            _connected.discard(verb)
