"""Admin forms of triggers and subscriptions: selects filled from the registries at form time.

Nothing is preselected: a signal, a messenger or a template is chosen, never defaulted to the
first of the list. The Backend form, with its fields per messenger option, is in
:mod:`.backend_form`.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.admin.choices import (
    model_choices,
    project_models,
    receiver_callable_choices,
    signal_choices,
    template_choices,
)
from django_signal_notifier.admin.conditions_builder import ConditionsField
from django_signal_notifier.admin.declared import ConfigurationForm
from django_signal_notifier.models import Subscription, Trigger

MODEL_FIELDS = ("action_object_content_type", "actor_object_content_type")


def _label(model: Any, field: str) -> Any:
    return capfirst(model._meta.get_field(field).verbose_name)


def fields_by_content_type() -> dict[str, list[str]]:
    """The column names of each project model, by content type id (suggestions for conditions)."""
    models = project_models()
    by_model = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    return {
        str(content_type.pk): [field.name for field in model._meta.concrete_fields]
        for model, content_type in by_model.items()
    }


class TriggerForm(ConfigurationForm):
    """The signal is a select of registered signals; stale values stay visible so they can be fixed."""

    verb = forms.ChoiceField(label=_label(Trigger, "verb"), help_text=_("The signal that fires the trigger."))
    conditions = ConditionsField(
        label=_label(Trigger, "conditions"),
        required=False,
        help_text=_(
            "Every condition must hold; empty rows are ignored. Field: a column of the sender model (none for "
            '"was just created" and "a function says so"). Value: text, a number, true or false, or a JSON list '
            'such as ["draft", "published"] for "is one of"; empty for "changed" ("was just created" takes false '
            'to match updates only). "A function says so" takes the name a function(event) -> bool is registered '
            "under in code with @django_signal_notifier.condition(name)."
        ),
    )

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
        if "verb" in self.fields:
            current = self.initial.get("verb") or self.instance.verb or ""
            self.fields["verb"].choices = signal_choices(current)  # type: ignore[attr-defined]
        for name in MODEL_FIELDS:
            if name in self.fields:
                field = self.fields[name]
                field.queryset = model_choices([getattr(self.instance, f"{name}_id", None)])  # type: ignore[attr-defined]
                field.empty_label = _("any model")  # type: ignore[attr-defined]
        if "conditions" in self.fields:
            widget = self.fields["conditions"].widget
            widget.fields_by_model = fields_by_content_type()  # type: ignore[attr-defined]
            widget.current_model = str(self.instance.action_object_content_type_id or "")  # type: ignore[attr-defined]


class LinesField(forms.CharField):
    """A list of strings typed one per line (stored as a JSON list); a JSON list typed as such is read as one."""

    widget = forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = str(value or "").strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                items = None
            if isinstance(items, list) and all(isinstance(item, str) for item in items):
                return items
        return [line.strip() for line in text.splitlines() if line.strip()]


class SubscriptionForm(ConfigurationForm):
    """Receiver paths one per line; the digest template is a select of registered templates."""

    receiver_field_paths = LinesField(
        label=_label(Subscription, "receiver_field_paths"),
        required=False,
        help_text=_(
            "One path per line, from the sender object to users, e.g. author or article.followers: foreign keys, "
            "reverse foreign keys and many-to-many fields, chained with dots."
        ),
    )
    receiver_callable = forms.ChoiceField(
        label=_label(Subscription, "receiver_callable"),
        required=False,
        help_text=_(
            "A function (event) -> users registered in code with @django_signal_notifier.receiver(name); "
            "only registered functions are offered."
        ),
    )
    digest_template = forms.ChoiceField(
        label=_label(Subscription, "digest_template"),
        required=False,
        help_text=Subscription._meta.get_field("digest_template").help_text,
    )
    # Optional in the form (empty: never expires), so that forms posted without it keep working.
    inbox_expiry_seconds = forms.IntegerField(
        label=_label(Subscription, "inbox_expiry_seconds"),
        required=False,
        min_value=0,
        initial=0,
        help_text=Subscription._meta.get_field("inbox_expiry_seconds").help_text,
    )

    class Meta:
        model = Subscription
        fields = "__all__"

    def clean_inbox_expiry_seconds(self) -> int:
        return int(self.cleaned_data.get("inbox_expiry_seconds") or 0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "receiver_callable" in self.fields:
            current = self.initial.get("receiver_callable") or self.instance.receiver_callable or ""
            self.fields["receiver_callable"].choices = receiver_callable_choices(current)  # type: ignore[attr-defined]
        if "digest_template" in self.fields:
            current = self.initial.get("digest_template") or self.instance.digest_template or ""
            self.fields["digest_template"].choices = template_choices(  # type: ignore[attr-defined]
                current, blank=str(_("DigestMessageTemplate (the default)"))
            )
