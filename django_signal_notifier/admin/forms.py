"""Admin forms: selects filled from the registries at form time (no migrations when they change)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.events.verbs import verb_choices
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend, Trigger
from django_signal_notifier.rendering.registry import template_registry


def _content_type_choices() -> Any:
    return ContentType.objects.order_by("app_label", "model")


class TriggerForm(forms.ModelForm):
    """The signal is a select of registered signals; stale values stay visible so they can be fixed."""

    verb = forms.ChoiceField(label=_("signal"))

    class Meta:
        model = Trigger
        fields = [
            "name",
            "verb",
            "action_object_content_type",
            "action_object_id",
            "actor_object_content_type",
            "actor_object_id",
            "target",
            "conditions",
            "enabled",
            "key",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        choices = verb_choices()
        current = self.initial.get("verb") or getattr(self.instance, "verb", "")
        if current and current not in dict(choices):
            choices.append((current, _("%(verb)s (not registered)") % {"verb": current}))
        self.fields["verb"].choices = choices  # type: ignore[attr-defined]
        for name in ("action_object_content_type", "actor_object_content_type"):
            self.fields[name].queryset = _content_type_choices()  # type: ignore[attr-defined]


class BackendForm(forms.ModelForm):
    """Messenger and template are selects of the registered classes."""

    messenger = forms.ChoiceField(label=_("messenger"))
    message_template = forms.ChoiceField(label=_("message template"), required=False)

    class Meta:
        model = Backend
        fields = ["name", "messenger", "message_template", "options", "key"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        messengers = messenger_registry.choices()
        templates = [("", _("(the messenger's default)")), *template_registry.choices()]
        for field, choices in (("messenger", messengers), ("message_template", templates)):
            current = self.initial.get(field) or getattr(self.instance, field, "")
            if current and current not in dict(choices):
                choices.append((current, _("%(name)s (not registered)") % {"name": current}))
            self.fields[field].choices = choices  # type: ignore[attr-defined]
