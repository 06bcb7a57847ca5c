"""System checks for trigger conditions and dynamic receivers stored in the database."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError

from django_signal_notifier.config.conditions import validate_conditions
from django_signal_notifier.config.dynamic_receivers import validate_receiver_callable, validate_receiver_paths
from django_signal_notifier.models import Subscription, Trigger, tables_exist


@register(Tags.models)
def check_conditions_and_receivers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Conditions naming missing fields or bad values; receiver paths and callables that do not resolve."""

    if not tables_exist():
        return []

    messages: list[CheckMessage] = []
    try:
        triggers = list(Trigger.objects.select_related("action_object_content_type"))
        subscriptions = list(Subscription.objects.select_related("trigger__action_object_content_type"))
    except DatabaseError:
        return []
    for trigger in triggers:
        content_type = trigger.action_object_content_type
        model = content_type.model_class() if content_type else None
        for problem in validate_conditions(trigger.conditions, model, trigger.verb):
            messages.append(
                Error(
                    f"Trigger {trigger.pk} ({trigger}): {problem} The trigger never matches until it is fixed.",
                    hint="Edit the trigger's conditions in the admin.",
                    obj=trigger,
                    id="signal_notifier.E020",
                )
            )
    for subscription in subscriptions:
        content_type = subscription.trigger.action_object_content_type
        model = content_type.model_class() if content_type else None
        problems = validate_receiver_paths(subscription.receiver_field_paths, model)
        callable_problem = validate_receiver_callable(subscription.receiver_callable)
        if callable_problem:
            problems.append(callable_problem)
        for problem in problems:
            messages.append(
                Error(
                    f"Subscription {subscription.pk} ({subscription}): {problem}",
                    hint="Edit the subscription's receivers in the admin.",
                    obj=subscription,
                    id="signal_notifier.E021",
                )
            )
    return messages
