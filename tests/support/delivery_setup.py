"""Helpers for the delivery tests: one trigger on Article, a RecordingMessenger backend, N users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.models import Backend, Subscription, Trigger
from tests.support import recording as messengers
from tests.testapp.models import Article


@dataclass
class Setup:
    trigger: Trigger
    subscription: Subscription
    backend: Backend
    users: list[Any]


def configure(recipients: int = 1, *, verb: str = "post_save", options: dict[str, Any] | None = None) -> Setup:
    """A trigger on Article for ``verb`` whose subscription sends to ``recipients`` users."""
    messengers.DurableRecordingMessenger.attempts.clear()
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"{verb}-reader-{i}", email=f"r{i}@example.test") for i in range(recipients)]
    )
    users = list(user_model.objects.filter(username__startswith=f"{verb}-reader-").order_by("pk"))
    trigger = Trigger.objects.create(
        verb=verb, action_object_content_type=ContentType.objects.get_for_model(Article), name=f"articles {verb}"
    )
    backend = Backend.objects.create(messenger="DurableRecordingMessenger", options=options or {}, name="recording")
    subscription = Subscription.objects.create(trigger=trigger, name="readers")
    subscription.backends.add(backend)
    subscription.receiver_users.add(*users)
    return Setup(trigger, subscription, backend, users)
