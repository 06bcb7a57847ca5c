"""Running a 0.2.1 messenger: ``send(template, users, trigger_context, signal_kwargs)``.

0.2.1 called its messengers inside the signal with the signal's own objects. The package sends
after commit, so it gives them what 0.2.1 gave as closely as the moment allows: the live objects
of the signal when this process sent it (the immediate task backend), else the objects reloaded
from the database (a stand-in with the stored fields only when an object is gone); the signal's
kwargs including ``instance``; ``users=[]`` for a send without recipients (the "dynamic users"
pattern, where the messenger picks its own).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from django_signal_notifier.events import live
from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.render import SnapshotObject

# What 0.2.1 left out of signal_kwargs: the dispatcher's own arguments.
_NOT_KWARGS = frozenset({"signal", "sender"})


def trigger_context(trigger: Any, context: dict[str, Any]) -> dict[str, Any]:
    """0.2.1's trigger_context: the trigger's verb, objects and target."""
    return {
        "verb": context.get("verb"),
        "action_object": context.get("instance"),
        "action_object_content_type": getattr(trigger, "action_object_content_type", None),
        "actor_object": context.get("actor"),
        "actor_object_content_type": getattr(trigger, "actor_object_content_type", None),
        "target": context.get("target"),
    }


def signal_kwargs(event_id: int | None, context: dict[str, Any]) -> dict[str, Any]:
    """The signal's kwargs as 0.2.1 passed them: live objects, and ``instance`` for model signals."""
    event = live.recall(event_id) if event_id is not None else None
    if event is not None:
        return {k: v for k, v in event.kwargs.items() if k not in _NOT_KWARGS}
    kwargs = {k: _reloaded(v) for k, v in dict(context.get("kwargs") or {}).items()}
    if context.get("instance") is not None:
        kwargs.setdefault("instance", context["instance"])
    return kwargs


def live_context(event_id: int | None, context: dict[str, Any]) -> dict[str, Any]:
    """``context`` with the signal's live objects when this process sent the event."""
    event = live.recall(event_id) if event_id is not None else None
    if event is None:
        return context
    return {**context, "instance": event.instance, "actor": event.actor, "target": event.target}


def _reloaded(value: Any) -> Any:
    """A stored description of a model instance (``{"model", "pk", "repr"}``) as the live object."""
    if not (isinstance(value, dict) and set(value) == {"model", "pk", "repr"}):
        return value
    try:
        model = apps.get_model(str(value["model"]))
    except (LookupError, ValueError):
        return value
    gone = SnapshotObject(value)
    if value["pk"] is not None:
        found = model._default_manager.filter(pk=value["pk"]).first()
        if found is not None:
            return found
        gone.pk = model._meta.pk.to_python(value["pk"])
    return gone


def send_legacy(
    messenger_cls: type,
    template: MessageTemplate,
    user: Any,
    trigger: Any,
    context: dict[str, Any],
    event_id: int | None = None,
) -> None:
    """Call a 0.2.1 messenger for one recipient (``user`` None: ``users=[]``); its exceptions propagate."""
    context = live_context(event_id, context)
    users = [] if user is None else [user]
    messenger_cls.send(  # type: ignore[attr-defined]
        template, users, trigger_context(trigger, context), signal_kwargs(event_id, context)
    )
