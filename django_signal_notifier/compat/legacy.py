"""Running a 0.2.1 messenger: ``send(template, users, trigger_context, signal_kwargs)``."""

from __future__ import annotations

from typing import Any

from django_signal_notifier.rendering.base import MessageTemplate


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


def send_legacy(
    messenger_cls: type, template: MessageTemplate, user: Any, trigger: Any, context: dict[str, Any]
) -> None:
    """Call a 0.2.1 messenger for one recipient; its exceptions propagate to the caller."""
    kwargs = dict(context.get("kwargs") or {})
    messenger_cls.send(template, [user], trigger_context(trigger, context), kwargs)  # type: ignore[attr-defined]
