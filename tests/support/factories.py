"""Helpers to configure triggers and subscriptions in tests, the way a user would."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.models import Backend, Subscription, Trigger
from tests.support.recording import RecordingMessenger  # noqa: F401  (registers the channel ``subscribe`` names)


def user(username: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(username=username, password="pw", **extra)


def subscribe(
    verb: str = "post_save",
    model: Any = None,
    *,
    users: list[Any] | None = None,
    groups: list[Any] | None = None,
    messenger: str = "RecordingMessenger",
    template: str = "",
    **trigger_fields: Any,
) -> Subscription:
    trigger = Trigger.objects.create(
        verb=verb,
        action_object_content_type=ContentType.objects.get_for_model(model) if model is not None else None,
        **trigger_fields,
    )
    backend = Backend.objects.create(messenger=messenger, message_template=template)
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(backend)
    if users:
        subscription.receiver_users.add(*users)
    if groups:
        subscription.receiver_groups.add(*groups)
    return subscription
