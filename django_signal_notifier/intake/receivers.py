"""Signal wiring: receivers bound to the sender models that have a trigger, and nothing else.

A model with no trigger costs nothing: Django finds no receiver for it (a cached dictionary
lookup) and never calls the package. The bindings follow the trigger index: each rebuild binds
the models that gained a trigger and unbinds those that lost theirs. A verb with any-sender
triggers (no model named), ``m2m_changed`` (its sender is the through model) and the
non-model signals get one catch-all receiver while they have a trigger.

Configuration changes made in other processes are learnt by reading the index's version stamp
at most once per ``CONFIG_CHECK_INTERVAL``. A bound receiver reads it when due; so that a model
gaining its *first* trigger is noticed too, catch-all *sentinel* receivers are armed once the
interval has passed (by a timer, and at the start of a request when the timer thread cannot
run): the next send of any signal then refreshes the index, which disarms them. Between two
checks, unwatched models cost nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.signals import request_started
from django.dispatch import Signal

from django_signal_notifier.config.index import VerbTable, trigger_index
from django_signal_notifier.events import previous as previous_values
from django_signal_notifier.events.verbs import on_register
from django_signal_notifier.intake.dispatch import dispatch

# Signals whose sender is the model that triggers name: bound per model.
PER_MODEL = frozenset({"pre_save", "post_save", "pre_delete", "post_delete"})

_lock = threading.RLock()
_signals: dict[str, Signal] = {}
_receivers: dict[str, Callable[..., None]] = {}  # verb -> the receiver bound per model
_all_receivers: dict[str, Callable[..., None]] = {}  # verb -> the catch-all receiver
_sentinels: dict[str, Callable[..., None]] = {}
_bound: dict[str, frozenset[Any]] = {}  # verb -> models bound one by one
_catch_all: set[str] = set()  # verbs whose receiver hears every sender
_armed = False
_listening = False
_suspended = False  # disconnect_all(): nothing is connected until connect_all()
_timer: threading.Timer | None = None
_timer_due = 0.0  # the monotonic time the timer fires at


def _uid(verb: str, kind: str = "") -> str:
    return f"django_signal_notifier:{verb}{kind}"


def _dispatch(verb: str, sender: Any, kwargs: dict[str, Any], candidates: Any) -> None:
    if not candidates and verb == "m2m_changed":
        # m2m_changed's sender is the through model; triggers name the changed model.
        instance = kwargs.get("instance")
        candidates = trigger_index.lookup(verb, instance if isinstance(instance, type) else type(instance))
    if candidates:
        dispatch(verb, sender, kwargs, candidates)


def make_receiver(verb: str, all_senders: bool = False) -> Callable[..., None]:
    """The receiver of ``verb``: an index lookup, then (only on a hit) the dispatcher.

    Only bound models reach it, or every sender with ``all_senders`` (the catch-all receiver).
    Each acts only while the verb is bound its way, so that a send racing a switch between the
    two ways is handled once. :meth:`TriggerIndex.lookup` is inlined: a clock read and two
    dictionary lookups. Previous values for the changed_to/changed_from conditions ride on the
    save receivers rather than costing two more receivers.
    """
    index = trigger_index
    monotonic = time.monotonic
    needs_fallback = verb == "m2m_changed"
    catch_all = _catch_all

    if verb == "pre_save":

        def receive(sender: Any, **kwargs: Any) -> None:
            if (verb in catch_all) is not all_senders:
                return
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
            if (verb in catch_all) is not all_senders:
                return
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
            if (verb in catch_all) is not all_senders:
                return
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


def _receiver_for(verb: str) -> Callable[..., None]:
    return (_all_receivers if verb in _catch_all else _receivers)[verb]


def _make_sentinel(verb: str) -> Callable[..., None]:
    """A catch-all receiver armed when the configuration may have changed elsewhere.

    It is connected first, so it runs before any other receiver of the send: what it reads of
    the bindings is what Django saw when the send began (a nested send in a later receiver may
    rebind, but cannot fool this check).
    """

    def sentinel(sender: Any, **kwargs: Any) -> None:
        handled = verb in _catch_all or sender in _bound.get(verb, ())
        trigger_index.refresh()  # rebinds, and disarms the sentinels
        if not handled and (verb in _catch_all or sender in _bound.get(verb, ())):
            _receiver_for(verb)(sender=sender, **kwargs)  # bound during this very send

    sentinel.__name__ = f"signal_notifier_sentinel_{verb}"
    sentinel.__qualname__ = sentinel.__name__
    return sentinel


# -- binding ------------------------------------------------------------------------------------
def _wanted(verb: str, tables: dict[str, VerbTable]) -> tuple[bool, frozenset[Any]]:
    """(catch-all?, models to bind one by one) for ``verb`` under ``tables``."""
    table = tables.get(verb)
    if verb not in PER_MODEL:
        return table is not None, frozenset()
    if table is not None and table.any_sender:
        return True, frozenset()
    models = {model for model, specs in table.by_sender.items() if specs} if table is not None else set()
    if verb in ("pre_save", "post_save"):
        models |= set(previous_values._tracked)  # their previous values are captured on save
    return False, frozenset(models)


def bind(tables: dict[str, VerbTable]) -> None:
    """Connect exactly the receivers ``tables`` needs, disarm the sentinels, schedule the next check."""
    with _lock:
        for verb, signal in _signals.items():
            catch_all, models = _wanted(verb, tables)
            before = _bound.get(verb, frozenset())
            if not _suspended:  # else connect_all() connects what is recorded here
                # Connect the new way first, then switch which way acts, then disconnect the old.
                for model in models - before:
                    signal.connect(_receivers[verb], sender=model, weak=False, dispatch_uid=_uid(verb))
                if catch_all:
                    signal.connect(_all_receivers[verb], weak=False, dispatch_uid=_uid(verb, ":all"))
            _bound[verb] = models
            if catch_all:
                _catch_all.add(verb)
            else:
                _catch_all.discard(verb)
            if not _suspended:
                for model in before - models:
                    signal.disconnect(sender=model, dispatch_uid=_uid(verb))
                if not catch_all:
                    signal.disconnect(dispatch_uid=_uid(verb, ":all"))
        if time.monotonic() < trigger_index._next_check:  # else another refresh is due at once
            _disarm()
        _schedule()


def arm() -> None:
    """Connect the sentinels: the next send of any signal reads the configuration version."""
    global _armed
    with _lock:
        if _armed:
            return
        _armed = True
        if not _suspended:
            for verb, signal in _signals.items():
                _connect_first(signal, _sentinels[verb], _uid(verb, ":sentinel"))


def _connect_first(signal: Signal, receiver: Callable[..., None], uid: str) -> None:
    """Connect a catch-all ``receiver`` at the head of ``signal``'s receivers."""
    signal.connect(receiver, weak=False, dispatch_uid=uid)
    key = (uid, id(None))  # Django's lookup key of a receiver: (dispatch_uid, id of its sender)
    with signal.lock:
        for position, entry in enumerate(signal.receivers):
            if entry[0] == key:
                if position:
                    signal.receivers.insert(0, signal.receivers.pop(position))
                break
        signal.sender_receivers_cache.clear()


def _disarm() -> None:
    global _armed
    if trigger_index.interval() <= 0:
        return  # every send checks: the sentinels stay
    if _armed:
        for verb, signal in _signals.items():
            signal.disconnect(dispatch_uid=_uid(verb, ":sentinel"))  # a no-op while suspended
        _armed = False


def _schedule() -> None:
    global _timer, _timer_due
    interval = trigger_index.interval()
    if interval <= 0:
        return
    due = trigger_index._next_check
    if _timer is not None and _timer.is_alive():
        if _timer_due <= due:
            return  # it fires in time (early is harmless: it re-schedules itself)
        _timer.cancel()  # the interval was shortened
    _timer = threading.Timer(max(0.0, due - time.monotonic()), _timer_fired)
    _timer.daemon = True
    _timer.name = "django-signal-notifier config check"
    _timer_due = due
    _timer.start()


def _timer_fired() -> None:
    global _timer
    with _lock:
        _timer = None
        if time.monotonic() >= trigger_index._next_check:
            arm()
        else:  # checked in the meantime: wait for the next check
            _schedule()


def _request_started(**kwargs: Any) -> None:
    # Where threads do not run (uWSGI without --enable-threads) the timer never arms them.
    if time.monotonic() >= trigger_index._next_check:
        arm()


def _after_fork_in_child() -> None:
    global _timer, _lock
    # Another thread of the parent may have held these locks at the fork: fresh ones. The
    # parent's timer thread did not come along, and the child reads the stamp at its first send.
    _lock = threading.RLock()
    _timer = None
    trigger_index.after_fork()
    arm()


# -- connecting ---------------------------------------------------------------------------------
def _connect(verb: str, signal: Signal) -> None:
    with _lock:
        if verb in _signals:
            return
        _signals[verb] = signal
        _receivers[verb] = make_receiver(verb)
        _all_receivers[verb] = make_receiver(verb, all_senders=True)
        _sentinels[verb] = _make_sentinel(verb)
        if _armed and not _suspended:
            _connect_first(signal, _sentinels[verb], _uid(verb, ":sentinel"))
        if _listening:
            trigger_index.invalidate()  # a trigger may already name this newly registered verb


def connect_all() -> None:
    """Listen to every registered signal, and to those registered later. Idempotent.

    At start-up nothing is bound: the sentinels are armed, and the first send builds the index.
    After :func:`disconnect_all`, the bindings in force before are connected again.
    """
    global _listening, _suspended
    with _lock:
        if not _listening:
            _listening = True
            trigger_index.listeners.append(bind)
            trigger_index.invalidation_listeners.append(arm)
            request_started.connect(_request_started, dispatch_uid=_uid("request_started"))
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=_after_fork_in_child)
            on_register(_connect)  # also connects the signals registered so far
            arm()
            return
        if not _suspended:
            return
        _suspended = False
        for verb, signal in _signals.items():
            receiver = _receivers[verb]
            for model in _bound.get(verb, ()):
                signal.connect(receiver, sender=model, weak=False, dispatch_uid=_uid(verb))
            if verb in _catch_all:
                signal.connect(_all_receivers[verb], weak=False, dispatch_uid=_uid(verb, ":all"))
            if _armed:
                _connect_first(signal, _sentinels[verb], _uid(verb, ":sentinel"))


def disconnect_all() -> None:
    """Stop listening until :func:`connect_all` (the benchmarks' raw-Django reference)."""
    global _suspended
    with _lock:
        if _suspended:
            return
        _suspended = True
        for verb, signal in _signals.items():
            for model in _bound.get(verb, ()):
                signal.disconnect(sender=model, dispatch_uid=_uid(verb))
            signal.disconnect(dispatch_uid=_uid(verb, ":all"))
            signal.disconnect(dispatch_uid=_uid(verb, ":sentinel"))


def bound_models(verb: str) -> frozenset[Any]:
    """The models whose ``verb`` sends currently reach the package (for checks and tests)."""
    return _bound.get(verb, frozenset())
