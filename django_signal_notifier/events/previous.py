"""Previous field values for the ``changed``, ``changed_to`` and ``changed_from`` conditions.

Only models named by such a condition in the trigger index are tracked (zero cost for the
others): a ``post_init`` receiver, connected per tracked model, remembers the tracked fields'
values as loaded from the database. The package's ``pre_save`` receiver fixes the values *before this save*
(from that snapshot, or with one query for fields the snapshot lacks: deferred fields, objects
loaded before tracking began) and its ``post_save`` receiver moves the snapshot forward.

A snapshot moved forward by a save whose transaction has not committed yet is not trusted: the
transaction may still roll back (and the same change be retried), so until its commit the values
before the next save are read from the database, which knows what survived.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.db import transaction
from django.db.models.signals import post_init

LOADED = "_signal_notifier_loaded_values"
BEFORE = "_signal_notifier_values_before_save"
UNCOMMITTED = "_signal_notifier_loaded_values_uncommitted"  # set while the save that moved LOADED may roll back
ABSENT: Any = object()  # the previous value of a field of an object that is being created
UNKNOWN: Any = object()  # not captured (tracking began during this very save): no change is claimed

_tracked: dict[type, frozenset[str]] = {}


def tracked_fields(model: type) -> frozenset[str]:
    """The attnames tracked for ``model`` (empty when none is)."""
    return _tracked.get(model, frozenset())


def track_previous_values(tables: dict[str, Any]) -> None:
    """Track exactly the (model, field) pairs that the index's conditions compare with the past."""
    global _tracked
    wanted: dict[type, set[str]] = {}
    for table in tables.values():
        for spec in itertools.chain(table.any_sender, *table.by_sender.values()):
            if spec.model is None:
                continue
            for condition in spec.conditions:
                if condition.needs_previous:
                    wanted.setdefault(spec.model, set()).add(condition.attname)
    for model in set(_tracked) - set(wanted):
        post_init.disconnect(sender=model, dispatch_uid=_uid(model))
    for model in wanted:
        post_init.connect(_remember_loaded, sender=model, weak=False, dispatch_uid=_uid(model))
    _tracked = {model: frozenset(fields) for model, fields in wanted.items()}  # swapped whole: thread-safe


def tracked_models() -> dict[type, frozenset[str]]:
    """The tracked models and fields (the save receivers in receivers.py consult it)."""
    return _tracked


def previous_value(instance: Any, attname: str, verb: str) -> Any:
    """The value ``attname`` had before the change this signal reports, or :data:`ABSENT` for a new object."""
    state = instance.__dict__
    if verb == "post_save":
        before = state.get(BEFORE)
        if before is not None:
            return before.get(attname, ABSENT)
        # Not captured in pre_save (the trigger appeared between pre_save and post_save).
        return state.get(LOADED, {}).get(attname, UNKNOWN)
    fields = tracked_fields(type(instance)) | {attname}
    return values_before_save(instance, fields).get(attname, ABSENT)


def values_before_save(instance: Any, fields: frozenset[str]) -> dict[str, Any]:
    """The stored values of ``fields``: from the loaded snapshot, else one query for the missing ones."""
    if instance._state.adding or instance.pk is None:
        return {}
    state = instance.__dict__
    loaded = {} if state.get(UNCOMMITTED) else state.get(LOADED, {})
    values = {name: loaded[name] for name in fields if name in loaded}
    missing = [name for name in fields if name not in values]
    if missing:
        manager = type(instance)._base_manager.using(instance._state.db)
        row = manager.filter(pk=instance.pk).values(*missing).first()
        values.update(row or {})
    return values


def _uid(model: type) -> str:
    return f"django_signal_notifier.events.previous.{model._meta.label_lower}"  # type: ignore[attr-defined]


def _remember_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    state = instance.__dict__
    state[LOADED] = {name: state[name] for name in _tracked.get(sender, ()) if name in state}


def fix_before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    fields = _tracked.get(sender)
    if fields is None or raw:
        return
    instance.__dict__[BEFORE] = values_before_save(instance, fields)


def move_snapshot(sender: Any, instance: Any, **kwargs: Any) -> None:
    fields = _tracked.get(sender)
    if fields is None:
        return
    state = instance.__dict__
    state.pop(BEFORE, None)
    state[LOADED] = {name: state[name] for name in fields if name in state}
    # Trusted once committed; a rollback drops this callback and the snapshot stays untrusted.
    marker = object()
    state[UNCOMMITTED] = marker
    transaction.on_commit(lambda: _committed(state, marker), using=kwargs.get("using") or instance._state.db)


def _committed(state: dict[str, Any], marker: object) -> None:
    if state.get(UNCOMMITTED) is marker:
        del state[UNCOMMITTED]
