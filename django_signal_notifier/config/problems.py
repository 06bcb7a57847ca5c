"""What is wrong with a trigger, subscription or backend: the one place that says it.

The models' ``clean()`` (and so the admin's forms), the system checks, ``declare``,
``signal_notifier list --problems``, the admin's problems column and the trigger index all ask
here, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.config.conditions import validate_conditions
from django_signal_notifier.config.dynamic_receivers import validate_receiver_callable, validate_receiver_paths
from django_signal_notifier.events.verbs import get_signal
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.validators import cleans


@cleans("backend")
def backend_errors(backend: Backend) -> dict[str, Any]:
    """The problems of one backend, by field (empty when it is fine)."""

    errors: dict[str, Any] = {}
    messenger = messenger_registry.get(backend.messenger)
    if messenger is None:
        errors["messenger"] = _("No messenger is registered as %(name)s.") % {"name": backend.messenger}
    if backend.message_template and template_registry.get(backend.message_template) is None:
        errors["message_template"] = _("No message template is registered as %(name)s.") % {
            "name": backend.message_template
        }
    elif not backend.message_template and messenger is not None and not messenger.default_template:
        errors["message_template"] = _("%(name)s has no default template: choose one.") % {"name": backend.messenger}
    if messenger is not None and not errors:
        try:
            messenger.validate_options(backend.options or {})
        except ValidationError as error:
            errors["options"] = error.messages
    return errors


@cleans("subscription")
def subscription_errors(subscription: Subscription) -> dict[str, Any]:
    """The problems of one subscription, by field (empty when it is fine)."""

    errors: dict[str, Any] = {}
    model = None
    try:
        trigger = subscription.trigger  # may be unsaved when edited inline with a new trigger
    except ObjectDoesNotExist:
        trigger = None
    if trigger is not None and trigger.action_object_content_type is not None:
        model = trigger.action_object_content_type.model_class()
    path_errors = validate_receiver_paths(subscription.receiver_field_paths, model)
    if path_errors:
        errors["receiver_field_paths"] = path_errors
    callable_error = validate_receiver_callable(subscription.receiver_callable)
    if callable_error:
        errors["receiver_callable"] = callable_error
    return errors


@cleans("trigger")
def trigger_errors(trigger: Trigger) -> dict[str, Any]:
    """The problems of one trigger, by field (empty when it is fine)."""

    errors: dict[str, Any] = {}
    if get_signal(trigger.verb) is None:
        errors["verb"] = _("No signal is registered as %(verb)s. Register it with register_signal().") % {
            "verb": trigger.verb
        }
    for ct_field, id_field in (
        ("action_object_content_type", "action_object_id"),
        ("actor_object_content_type", "actor_object_id"),
    ):
        content_type = getattr(trigger, ct_field)
        object_id = getattr(trigger, id_field)
        if object_id in ("", None):
            setattr(trigger, id_field, None)
            continue
        if content_type is None:
            errors[id_field] = _("An object id needs its model.")
            continue
        model = content_type.model_class()
        if model is None:
            errors[ct_field] = _("The model of this content type no longer exists.")
            continue
        try:
            exists = model._default_manager.filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            exists = False
        if not exists:
            errors[id_field] = _("No %(model)s with primary key %(pk)s exists.") % {
                "model": model._meta.verbose_name,
                "pk": object_id,
            }
    if "action_object_content_type" not in errors:
        content_type = trigger.action_object_content_type
        condition_errors = validate_conditions(
            trigger.conditions, content_type.model_class() if content_type else None, trigger.verb
        )
        if condition_errors:
            errors["conditions"] = condition_errors
    return errors
