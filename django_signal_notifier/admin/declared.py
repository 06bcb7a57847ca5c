"""Rows declared in code, in the admin: a note on their page and their code-owned fields read-only.

``signal_notifier sync`` (run after every ``migrate``) writes the fields a declaration sets and
records them in ``declared_fields``; an edit of those fields in the admin would be silently
undone by the next sync, so the admin does not offer it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


def declared_fields(obj: Any) -> list[str]:
    """The fields of ``obj`` that a declaration in code sets ([] for a row made in the admin)."""
    return list(getattr(obj, "declared_fields", None) or ()) if obj is not None else []


class ConfigurationForm(forms.ModelForm):
    """The base of the trigger, backend and subscription forms.

    The fields a declaration sets are disabled (inline rows, whose admin cannot make them
    read-only per row), and a field the form already refused gets no second error from the
    model's ``clean()`` (an empty signal is "required", not also "signal '' is not registered").
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in declared_fields(self.instance):
            if name in self.fields:
                self.fields[name].disabled = True

    def add_error(self, field: str | None, error: Any) -> None:
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            refused = getattr(self, "_errors", None) or {}  # the form's own errors so far (full_clean() under way)
            for name in [name for name in error.error_dict if name in refused]:
                del error.error_dict[name]
            if not error.error_dict:
                return
        super().add_error(field, error)


class DeclaredInCodeAdmin(admin.ModelAdmin):
    """Says when a row is declared in code and shows the fields its declaration sets read-only."""

    # Fields that a declaration sets but the admin shows under another name.
    declared_as: dict[str, str] = {}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        for name in declared_fields(obj):
            shown = self.declared_as.get(name, name)
            if shown not in fields:
                fields.append(shown)
        return fields

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if declared_fields(obj):
            context["declared_in_code"] = obj.key
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(boolean=True, description=_("In code"))
    def in_code(self, obj: Any) -> bool:
        """Whether the row is declared in code (``signal_notifier sync`` keeps it as declared)."""
        return bool(declared_fields(obj))
