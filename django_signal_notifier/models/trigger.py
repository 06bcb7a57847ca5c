"""Trigger: *when and where* a notification is sent."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.events.verbs import get_signal, register_signal
from django_signal_notifier.exceptions import SignalRegistrationError
from django_signal_notifier.models.config import ConfigQuerySet
from django_signal_notifier.validators import clean_row


class Trigger(models.Model):
    """A signal (``verb``) plus what the send must match; an empty field matches anything."""

    verb = models.CharField(
        _("signal"), max_length=128, db_index=True, help_text=_("The name of a registered signal, e.g. post_save.")
    )
    action_object_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("sender model"),
        blank=True,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The model that sends the signal. Empty: any sender."),
    )
    action_object_id = models.CharField(
        _("object id"),
        max_length=255,
        blank=True,
        null=True,
        help_text=_("Only this object (its primary key). Empty: any object of the model."),
    )
    actor_object_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("actor model"),
        blank=True,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only when the actor is of this model. Empty: any actor or none."),
    )
    actor_object_id = models.CharField(
        _("actor id"), max_length=255, blank=True, null=True, help_text=_("Only this actor (its primary key).")
    )
    target = models.CharField(
        _("target"),
        max_length=255,
        blank=True,
        null=True,
        help_text=_(
            "Only when the signal's target matches: a text, a model label (app_label.model) "
            "or one object (app_label.model:pk). Empty: any target."
        ),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifies a trigger declared in code; declaring it again updates it."),
    )
    conditions = models.JSONField(
        _("conditions"),
        default=list,
        blank=True,
        help_text=_(
            'All must hold, e.g. [{"op": "created"}, {"field": "status", "op": "changed_to", "value": "published"}]. '
            "Operators: created, eq, ne, in, not_in, changed, changed_to, changed_from, callable."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    cancels_pending = models.BooleanField(
        _("cancels pending steps"),
        default=False,
        help_text=_(
            "When this trigger fires, the pending messages about the same object are cancelled "
            "(e.g. a comment deleted cancels its delayed emails)."
        ),
    )
    declared_fields = models.JSONField(
        _("declared in code"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "The fields `signal_notifier sync` sets from a declaration in code; the admin shows them read-only."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConfigQuerySet.as_manager()

    # 0.2.1 kept the verb registry on the class; the registry now lives in verbs.py.
    verb_signal_list: ClassVar[dict[str, Signal]] = {}

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")
        ordering = ["id"]

    def __str__(self) -> str:
        if self.name:
            return self.name
        model = self.action_object_content_type
        what = f"{model.app_label}.{model.model}" if model else _("any sender")
        if self.action_object_id:
            what = f"{what}:{self.action_object_id}"
        return f"{self.verb} · {what}"

    @classmethod
    def registered_verb_signal(cls, name: str, signal: Signal) -> Signal:
        """0.2.1's name for :func:`django_signal_notifier.register_signal`."""
        register_signal(name, signal)
        cls.verb_signal_list[name] = signal
        return signal

    @classmethod
    def save_by_model(
        cls,
        verb_name: str,
        enabled: bool = True,
        action_object: Any = None,
        actor_object: Any = None,
        target: str | None = None,
        trigger_obj: Trigger | None = None,
    ) -> Trigger:
        """0.2.1's way to create a trigger in code: from models or objects instead of content types.

        ``action_object`` (the sender) and ``actor_object`` are each a model class (any object of
        it) or one saved object (that object only). Without ``trigger_obj`` the trigger with
        these filters is fetched or created, so running it again does not duplicate it; with
        ``trigger_obj`` that trigger is changed. ``enabled`` is set either way. The trigger is
        validated (``ValidationError`` names what is wrong) and saved, and returned. An
        unregistered ``verb_name`` raises ``SignalRegistrationError``, as in 0.2.1.
        """
        if get_signal(verb_name) is None:
            raise SignalRegistrationError(
                f"No signal is registered as {verb_name!r}: register it with Trigger.registered_verb_signal()."
            )
        action_content_type, action_id = _content_type_and_id(action_object)
        actor_content_type, actor_id = _content_type_and_id(actor_object)
        filters = {
            "verb": verb_name,
            "action_object_content_type": action_content_type,
            "action_object_id": action_id,
            "actor_object_content_type": actor_content_type,
            "actor_object_id": actor_id,
            "target": target,
        }
        if trigger_obj is None:
            trigger_obj = cls.objects.filter(**filters).order_by("pk").first() or cls(**filters)
        else:
            for name, value in filters.items():
                setattr(trigger_obj, name, value)
        trigger_obj.enabled = enabled
        trigger_obj.full_clean()
        trigger_obj.save()
        return trigger_obj

    @property
    def action_object(self) -> Any:
        """The model (no object id) or the one object this trigger is bound to, or None."""
        return _resolve(self.action_object_content_type, self.action_object_id)

    @property
    def actor_object(self) -> Any:
        """The actor model or the one actor this trigger is bound to, or None."""
        return _resolve(self.actor_object_content_type, self.actor_object_id)

    def clean(self) -> None:
        clean_row(self)


def _content_type_and_id(model_or_object: Any) -> tuple[ContentType | None, str | None]:
    """0.2.1's action_object/actor_object: None, a model class, or one saved object of a model."""
    if model_or_object is None:
        return None, None
    if isinstance(model_or_object, type) and issubclass(model_or_object, models.Model):
        return ContentType.objects.get_for_model(model_or_object), None
    if isinstance(model_or_object, models.Model):
        if model_or_object.pk is None:
            raise ValueError(f"{model_or_object!r} is not saved: a trigger can only name a saved object.")
        return ContentType.objects.get_for_model(type(model_or_object)), str(model_or_object.pk)
    raise TypeError(f"Expected a model class or a model instance, not {model_or_object!r}.")


def _resolve(content_type: ContentType | None, object_id: str | None) -> Any:
    if content_type is None:
        return None
    model = content_type.model_class()
    if model is None or not object_id:
        return model
    try:
        return model._default_manager.get(pk=object_id)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        return None
