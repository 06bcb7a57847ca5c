"""Helpers shared by the dynamic-receiver, condition and stored-template tests."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.models import Backend, Subscription, Trigger


def configure(
    model: Any,
    *,
    verb: str = "post_save",
    messenger: str = "InSiteMessenger",
    template: str = "",
    conditions: list[dict[str, Any]] | None = None,
    users: list[Any] = (),  # type: ignore[assignment]
    **subscription: Any,
) -> tuple[Trigger, Subscription, Backend]:
    """A trigger on ``model``, one backend, one subscription; validated like the admin does."""
    trigger = Trigger(verb=verb, action_object_content_type=ContentType.objects.get_for_model(model))
    trigger.conditions = conditions or []
    trigger.full_clean()
    trigger.save()
    backend = Backend(messenger=messenger, message_template=template)
    backend.full_clean()
    backend.save()
    sub = Subscription(trigger=trigger, **subscription)
    sub.full_clean()
    sub.save()
    sub.backends.add(backend)
    if users:
        sub.receiver_users.add(*users)
    return trigger, sub, backend
