"""Matching: does one signal send satisfy a trigger's object, actor and target filters?

The verb and the sender model were already matched by the index lookup.
"""

from __future__ import annotations

from typing import Any

from django_signal_notifier.config.conditions import conditions_hold
from django_signal_notifier.config.specs import TriggerSpec
from django_signal_notifier.events.snapshot import SignalEvent, is_model_instance, target_matches


def canonical_pk(model: Any, value: Any) -> str | None:
    """The text of a primary key as the model's pk field normalises it (UUID, int, str)."""
    if value is None or value == "":
        return None
    try:
        return str(model._meta.pk.to_python(value))
    except Exception:
        return str(value)


def matches(spec: TriggerSpec, event: SignalEvent) -> bool:
    """Whether ``event`` satisfies every non-empty filter of ``spec``."""
    if spec.object_id is not None:
        instance = event.instance
        if not is_model_instance(instance) or canonical_pk(type(instance), instance.pk) != spec.object_id:
            return False
    if spec.actor_model is not None:
        actor = event.actor
        if isinstance(actor, type) and hasattr(actor, "_meta"):  # 0.2.1 let a model class be the actor
            return spec.actor_id is None and actor._meta.concrete_model is spec.actor_model._meta.concrete_model
        if not is_model_instance(actor) or actor._meta.concrete_model is not spec.actor_model._meta.concrete_model:
            return False
        if spec.actor_id is not None and canonical_pk(type(actor), actor.pk) != spec.actor_id:
            return False
    if spec.target and not target_matches(spec.target, event.target):
        return False
    return not spec.conditions or conditions_hold(spec, event)
