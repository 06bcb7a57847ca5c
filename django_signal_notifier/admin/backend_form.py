"""The Backend form: one labelled field per option of each messenger instead of raw JSON.

Each messenger's options come from its class (``describe_options()``: label, help, kind,
required). The form has the fields of every registered messenger, grouped by messenger (the
admin shows the group of the chosen messenger); on save, the chosen messenger's fields become
``Backend.options``. The options are then checked by the model's ``clean()``, that is by
``config.problems`` (the messenger's ``validate_options()``), like everywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.admin.choices import messenger_choices, template_choices
from django_signal_notifier.admin.declared import ConfigurationForm
from django_signal_notifier.messengers import options as kinds
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.messengers.options import Option
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend

PREFIX = "option__"


def option_field_name(messenger: str, option: str) -> str:
    """The form field of one option of one messenger, e.g. ``option__SlackMessenger__channel``."""
    return f"{PREFIX}{messenger}__{option}"


def messenger_options() -> list[tuple[str, type[Messenger], tuple[Option, ...]]]:
    """(name, class, options) of every registered messenger that has options."""
    return [(name, cls, cls.describe_options()) for name, cls in messenger_registry.items() if cls.describe_options()]


def option_form_field(option: Option) -> forms.Field:
    """The form field that edits one option."""
    common: dict[str, Any] = {"label": option.title, "help_text": option.help, "required": False}
    if option.kind == kinds.FLAG:
        return forms.BooleanField(**common)
    if option.kind == kinds.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *option.choices], **common)
    if option.kind == kinds.JSON:
        return forms.JSONField(widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}), **common)
    if option.kind == kinds.LINES:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}), **common)
    if option.kind == kinds.SECRET:
        return forms.CharField(
            widget=forms.PasswordInput(render_value=True, attrs={"class": "vTextField", "autocomplete": "off"}),
            **common,
        )
    if option.kind == kinds.URL:
        return forms.CharField(widget=forms.URLInput(attrs={"class": "vURLField"}), **common)
    return forms.CharField(widget=forms.TextInput(attrs={"class": "vTextField"}), **common)


def shown(option: Option, value: Any) -> Any:
    """A stored option value as its field shows it."""
    if option.kind == kinds.LINES and isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    if option.kind in (kinds.FLAG, kinds.JSON):
        return value
    return "" if value is None else str(value)


def stored(option: Option, value: Any) -> Any:
    """A field's cleaned value as it is stored; None leaves the option out."""
    if option.kind == kinds.FLAG:
        return True if value else None
    if option.kind == kinds.JSON:
        return None if value in (None, "") else value
    text = str(value or "").strip()
    if option.kind == kinds.LINES:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines or None
    return text or None


class BackendForm(ConfigurationForm):
    """Name, messenger and template; :func:`backend_form` adds the option fields of the registered messengers."""

    messenger = forms.ChoiceField(label=capfirst(Backend._meta.get_field("messenger").verbose_name))
    message_template = forms.ChoiceField(
        label=capfirst(Backend._meta.get_field("message_template").verbose_name),
        required=False,
        help_text=_("Empty: the messenger's default template."),
    )

    class Meta:
        model = Backend
        fields = ["name", "messenger", "message_template", "key"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.messenger or ""
        if "messenger" in self.fields:
            self.fields["messenger"].choices = messenger_choices(current)  # type: ignore[attr-defined]
        if "message_template" in self.fields:
            self.fields["message_template"].choices = template_choices(  # type: ignore[attr-defined]
                self.initial.get("message_template") or self.instance.message_template or "",
                blank=str(_("(the messenger's default)")),
            )
        messenger_cls = messenger_registry.get(current)
        if messenger_cls is not None and isinstance(self.instance.options, dict):
            for option in messenger_cls.describe_options():
                name = option_field_name(current, option.name)
                if name in self.fields and option.name in self.instance.options:
                    self.initial[name] = shown(option, self.instance.options[option.name])

    def chosen_messenger(self) -> str:
        return str(self.cleaned_data.get("messenger") or self.instance.messenger or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        messenger_cls = messenger_registry.get(self.chosen_messenger())
        if messenger_cls is not None and "options" not in (self.instance.declared_fields or ()):
            options = {}
            for option in messenger_cls.describe_options():
                value = stored(option, data.get(option_field_name(self.chosen_messenger(), option.name)))
                if value is not None:
                    options[option.name] = value
            self.instance.options = options
        return data

    def add_error(self, field: str | None, error: Any) -> None:
        """Option problems (from the model's ``clean()``) are shown with the chosen messenger's options."""
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            moved = error.error_dict.pop("options", None)
            if moved:
                super().add_error(self._options_error_field(), moved)
            if not error.error_dict:
                return
        super().add_error(field, error)

    def _options_error_field(self) -> str | None:
        messenger = self.chosen_messenger()
        messenger_cls = messenger_registry.get(messenger)
        for option in messenger_cls.describe_options() if messenger_cls else ():
            name = option_field_name(messenger, option.name)
            if name in self.fields and not self.fields[name].disabled:
                return name
        return None


def backend_form(base: type[BackendForm] = BackendForm, without: Iterable[str] = ()) -> type[BackendForm]:
    """``base`` with a field per option of every registered messenger (messengers may be registered late).

    ``without``: fields shown read-only instead (those a declaration in code sets).
    """
    attrs: dict[str, Any] = {
        option_field_name(name, option.name): option_form_field(option)
        for name, _cls, options in messenger_options()
        for option in options
    }
    attrs.update(dict.fromkeys(name for name in without if name in base.declared_fields))
    return type(base.__name__, (base,), attrs)


def options_summary(backend: Backend) -> str:
    """The stored options as indented JSON, with secret options masked (for read-only pages)."""
    options = dict(backend.options or {}) if isinstance(backend.options, dict) else backend.options
    messenger_cls = messenger_registry.get(backend.messenger)
    if isinstance(options, dict) and messenger_cls is not None:
        for option in messenger_cls.describe_options():
            if option.kind == kinds.SECRET and options.get(option.name):
                options[option.name] = "***"
    return json.dumps(options, indent=2, ensure_ascii=False, sort_keys=True)
