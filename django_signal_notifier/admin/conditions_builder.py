"""A trigger's conditions edited as rows (field, operator, value) instead of raw JSON.

The rows become the same list of ``{"field", "op", "value"}`` objects that ``declare`` writes and
``config.conditions`` checks; the checking (unknown field, wrong value type…) stays there. A
value is read as JSON when it parses (``3``, ``true``, ``["a", "b"]``, ``"3"``), else as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.config.conditions import OPS

OP_LABELS = {
    "created": _("was just created (post_save)"),
    "eq": _("equals"),
    "ne": _("does not equal"),
    "in": _("is one of (a list)"),
    "not_in": _("is none of (a list)"),
    "changed": _("changed (no value)"),
    "changed_to": _("changed to"),
    "changed_from": _("changed from"),
    "callable": _("a function says so"),
}
BLANK_ROWS = 2
MAX_ROWS = 50


@dataclass(frozen=True)
class ConditionRow:
    """One row as typed in the form: every part is text."""

    field: str = ""
    op: str = ""
    value: str = ""

    def is_blank(self) -> bool:
        return not (self.field.strip() or self.op or self.value.strip())


def value_from_text(text: str) -> Any:
    """A typed value: JSON when it parses, else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def value_as_text(value: Any) -> str:
    """A stored value as it is typed back (text that would read as another JSON value is quoted)."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False)


def rows_of(conditions: Any) -> list[ConditionRow]:
    """Stored conditions (or rows already typed) as rows."""
    if not isinstance(conditions, list):
        return []
    rows = []
    for item in conditions:
        if isinstance(item, ConditionRow):
            rows.append(item)
        elif isinstance(item, dict):
            text = value_as_text(item["value"]) if "value" in item else ""
            rows.append(ConditionRow(str(item.get("field") or ""), str(item.get("op") or ""), text))
    return rows


class ConditionsWidget(forms.Widget):
    """A small table: one row per condition and two empty rows to add more (no JavaScript needed)."""

    template_name = "django_signal_notifier/admin/conditions_builder.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.fields_by_model: dict[str, list[str]] = {}  # content type id -> field names, for suggestions
        self.current_model = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = rows_of(value)
        disabled = bool(context["widget"]["attrs"].get("disabled"))
        if not disabled:
            rows += [ConditionRow()] * BLANK_ROWS
        context["widget"].update(
            rows=rows,
            ops=[(op, f"{OP_LABELS[op]} ({op})") for op in OPS],
            disabled=disabled,
            suggestions=self.fields_by_model.get(self.current_model, []),
            fields_by_model=self.fields_by_model,
            fields_by_model_id=f"{context['widget']['attrs'].get('id', name)}-fields-by-model",
        )
        return context

    def format_value(self, value: Any) -> Any:
        return value

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[ConditionRow] | None:
        try:
            count = min(int(data.get(f"{name}-rows") or 0), MAX_ROWS)
        except ValueError:
            return None
        return [
            ConditionRow(
                str(data.get(f"{name}-{i}-field") or "").strip(),
                str(data.get(f"{name}-{i}-op") or ""),
                str(data.get(f"{name}-{i}-value") or ""),
            )
            for i in range(count)
        ]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-rows" not in data


class ConditionsField(forms.Field):
    """Rows in, a list of condition objects out; an empty row is ignored."""

    widget = ConditionsWidget

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if not value:
            return []
        if all(isinstance(item, dict) for item in value):
            return list(value)  # the stored value (a disabled field, or an unbound form)
        conditions: list[dict[str, Any]] = []
        errors = []
        for number, row in enumerate(rows_of(value), start=1):
            if row.is_blank():
                continue
            if row.op not in OPS:
                errors.append(gettext("Condition %(number)s: choose an operator.") % {"number": number})
                continue
            condition: dict[str, Any] = {"op": row.op}
            if row.field:
                condition["field"] = row.field
            if row.value.strip():
                condition["value"] = value_from_text(row.value.strip())
            conditions.append(condition)
        if errors:
            raise ValidationError(errors)
        return conditions

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):  # the JSON text of a stored value
            try:
                return json.loads(value)
            except ValueError:
                return []
        return value
