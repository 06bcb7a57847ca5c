"""Keeps the trigger index current when triggers, subscriptions or backends change via save()."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from django_signal_notifier.config.index import config_changed
from django_signal_notifier.models import Backend, Subscription, Trigger


def _changed(sender: Any, using: str | None = None, **kwargs: Any) -> None:

    if str(kwargs.get("action", "post_")).startswith("pre_"):
        return
    config_changed(using)


def watch_configuration() -> None:
    """Connect the config models' save/delete/m2m signals to the index invalidation."""

    for model in (Trigger, Backend, Subscription):
        uid = f"django_signal_notifier.config.freshness.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ".delete")
    for field in ("backends", "receiver_users", "receiver_groups"):
        through = getattr(Subscription, field).through
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"django_signal_notifier.watch.{field}")
