"""Previews and test sends of a message template against a real object, for the admin.

A test send goes through the real pipeline from the fan-out on: an Event row, the Backend's
template rendered for the requesting user, a Delivery row (or an in-site Notification), then
the task queue and the messenger. Its Event's snapshot carries ``"extra": {"test_send": true}``
and its deliveries belong to no subscription.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_permission_codename

from django_signal_notifier.config.specs import BackendSpec, SubscriptionSpec, TriggerSpec
from django_signal_notifier.events.snapshot import SignalEvent
from django_signal_notifier.fanout.writer import write_event
from django_signal_notifier.models import Backend, Event, Trigger
from django_signal_notifier.rendering.base import MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.render import EventView, base_context, language_for, render
from django_signal_notifier.rendering.stored import StoredMessageTemplate


def preview_event(trigger: Trigger, instance: Any, user: Any) -> SignalEvent:
    """The event a preview or test send pretends happened: ``trigger``'s signal for ``instance`` by ``user``."""
    kwargs: dict[str, Any] = {"instance": instance}
    if trigger.verb == "post_save":
        kwargs["created"] = False
    event = SignalEvent(
        verb=trigger.verb, sender=type(instance), kwargs=kwargs, instance=instance, actor=user, target=None
    )
    event.extra["test_send"] = True
    return event


def render_preview(template: MessageTemplate, trigger: Trigger, instance: Any, user: Any) -> RenderedMessage:
    """``template`` rendered for ``user`` as if ``trigger`` had fired for ``instance``.

    A stored template shows nothing of objects whose model ``user`` may not view in the admin.
    """
    if isinstance(template, StoredMessageTemplate):
        template.may_view = lambda model: may_view_model(user, model)
    view = EventView.from_signal(preview_event(trigger, instance, user))
    return render(template, base_context(view, _trigger_spec(trigger, type(instance)), None), user, language_for(user))


def may_view_model(user: Any, model: Any) -> bool:
    """Whether ``user`` may view ``model``'s rows in the admin (its view or change permission)."""
    meta = model._meta
    return any(
        user.has_perm(f"{meta.app_label}.{get_permission_codename(action, meta)}") for action in ("view", "change")
    )


def send_test(backend: Backend, trigger: Trigger, instance: Any, user: Any) -> Event:
    """Send ``backend``'s message about ``instance`` to ``user`` through the pipeline; returns the Event row."""

    event = preview_event(trigger, instance, user)
    backend_spec = BackendSpec(backend.pk, str(backend), backend.messenger, backend.message_template, backend.options)
    # A test send belongs to no subscription: its Delivery rows have no subscription.
    subscription_spec = SubscriptionSpec(id=None, name="test send", backends=(backend_spec,))  # type: ignore[arg-type]
    trigger_spec = _trigger_spec(trigger, type(instance))
    return write_event(
        event,
        event.snapshot(),
        lambda writer: writer.write(trigger_spec, subscription_spec, backend_spec, [user.pk]),
    )


def _trigger_spec(trigger: Trigger, model: Any) -> TriggerSpec:
    return TriggerSpec(
        id=trigger.pk,
        name=str(trigger),
        verb=trigger.verb,
        model=model,
        object_id=None,
        actor_model=None,
        actor_id=None,
        target=None,
        subscriptions=(),
    )
