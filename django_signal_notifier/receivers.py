"""Signal wiring: one receiver per registered verb, connected once, never per trigger."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from django_signal_notifier import previous as previous_values
from django_signal_notifier.index import trigger_index
from django_signal_notifier.verbs import on_register

_connected: set[str] = set()
_listening = False


def _dispatch(verb: str, sender: Any, kwargs: dict[str, Any], candidates: Any) -> None:
    if not candidates and verb == "m2m_changed":
        # m2m_changed's sender is the through model; triggers name the changed model.
        instance = kwargs.get("instance")
        candidates = trigger_index.lookup(verb, instance if isinstance(instance, type) else type(instance))
    if candidates:
        from django_signal_notifier.dispatch import dispatch

        dispatch(verb, sender, kwargs, candidates)


def make_receiver(verb: str) -> Callable[..., None]:
    """The receiver of ``verb``: an index lookup, then (only on a hit) the dispatcher.

    Every save of every model runs this, so :meth:`TriggerIndex.lookup` is inlined: a clock
    read and one dictionary lookup when no trigger uses ``verb``. Previous values for the
    changed_to/changed_from conditions ride on the save receivers (one more dictionary lookup)
    rather than costing every save two more receivers.
    """
    index = trigger_index
    monotonic = time.monotonic
    needs_fallback = verb == "m2m_changed"

    if verb == "pre_save":

        def receive(sender: Any, **kwargs: Any) -> None:
            if monotonic() >= index._next_check:
                index.refresh()  # first: it also (re)computes which models are tracked
            table = index._tables.get(verb)
            if table is not None:
                candidates = table.by_sender.get(sender, table.any_sender)
                if candidates:
                    _dispatch(verb, sender, kwargs, candidates)
            if sender in previous_values._tracked:
                previous_values.fix_before_save(sender, **kwargs)

    elif verb == "post_save":

        def receive(sender: Any, **kwargs: Any) -> None:
            if monotonic() >= index._next_check:
                index.refresh()
            table = index._tables.get(verb)
            if table is not None:
                candidates = table.by_sender.get(sender, table.any_sender)
                if candidates:
                    _dispatch(verb, sender, kwargs, candidates)  # matching reads the values fixed in pre_save
            if sender in previous_values._tracked:
                previous_values.move_snapshot(sender, **kwargs)

    else:

        def receive(sender: Any, **kwargs: Any) -> None:
            if monotonic() >= index._next_check:
                index.refresh()
            table = index._tables.get(verb)
            if table is None:
                return
            candidates = table.by_sender.get(sender, table.any_sender)
            if candidates or needs_fallback:
                _dispatch(verb, sender, kwargs, candidates)

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
    global _listening
    if not _listening:
        _listening = True
        on_register(_connect)  # also connects the signals registered so far
        return
    from django_signal_notifier.verbs import registered_signals

    for verb, signal in registered_signals().items():
        _connect(verb, signal)


def disconnect_all() -> None:
    """Stop listening (used by benchmarks to measure the reference)."""
    from django_signal_notifier.verbs import registered_signals

    for verb, signal in registered_signals().items():
        if verb in _connected:
            signal.disconnect(dispatch_uid=f"django_signal_notifier:{verb}")
            _connected.discard(verb)
