"""The sandbox of stored templates: a restricted template engine and a context of plain data.

Stored templates are written in the admin, so they are treated as untrusted: they see only the
documented variables, model instances are wrapped so only their concrete, non-sensitive field
values and their text are visible (no methods, no managers, no password hashes), and only
harmless tags are available (no ``{% load %}``, ``{% include %}``, ``{% extends %}``,
``{% debug %}``, ``{% csrf_token %}``, ``{% url %}`` or ``{% lorem %}``). Every default filter is
available except the padding ones (``center``, ``ljust``, ``rjust``).
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Any

from django.db.models import Model
from django.template import (
    Context,
    Engine,
    Library,
    Template,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
    loader_tags,
)
from django.utils.translation import gettext as _

from django_signal_notifier.events.snapshot import is_sensitive, object_label, safe_text, to_json_safe

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

# The variables a stored template sees (documented in docs/templates.md).
TEXT_VARIABLES = ("verb", "signal", "action", "instance_type", "instance_url", "site_url")
OBJECT_VARIABLES = ("instance", "action_object", "actor", "target", "recipient", "user")
NAMED_VARIABLES = ("trigger", "subscription")
DOCUMENTED_VARIABLES = (*TEXT_VARIABLES, *OBJECT_VARIABLES, *NAMED_VARIABLES, "created", "sender", "kwargs")

register = Library()
register.tags.update({name: defaulttags.register.tags[name] for name in ALLOWED_TAGS})
# Padding filters can inflate the output without bound ({{ x|ljust:"999999999" }}).
REFUSED_FILTERS = ("center", "ljust", "rjust")
register.filters.update({k: v for k, v in defaultfilters.register.filters.items() if k not in REFUSED_FILTERS})

_PLAIN = (str, bool, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta, uuid.UUID)


class SandboxEngine(Engine):
    """An engine whose only built-in library is this module's ``register``."""

    default_builtins: list[str] = []  # type: ignore[misc]


def _engine(debug: bool) -> Engine:
    return SandboxEngine(
        builtins=[__name__],
        libraries={},
        loaders=[("django.template.loaders.locmem.Loader", {})],
        debug=debug,
        string_if_invalid="",
        autoescape=True,
    )


_render_engine = _engine(debug=False)
_check_engine = _engine(debug=True)  # keeps line numbers for error messages


def compile_source(source: str) -> Template | None:
    """Compile one part of a stored template (None when empty)."""
    if not source.strip():
        return None
    return _render_engine.from_string(source)


# Tags Django has but stored templates do not (their error says so, not "did you forget to load it?").
REFUSED_TAGS = frozenset(set(defaulttags.register.tags) | set(loader_tags.register.tags)) - set(ALLOWED_TAGS)
_INVALID_TAG = re.compile(r"^Invalid block tag on line \d+: '([^']+)'")
_ON_LINE = re.compile(r" on line \d+")


def syntax_errors(sources: dict[str, str]) -> dict[str, list[str]]:
    """Errors by part name, each with its line number, e.g. ``Line 2: {% load %} is not allowed …``."""
    errors: dict[str, list[str]] = {}
    for part, source in sources.items():
        if not source.strip():
            continue
        try:
            _check_engine.from_string(source)
        except TemplateSyntaxError as error:
            debug = getattr(error, "template_debug", None) or {}
            line = debug.get("line", "?")
            errors[part] = [_("Line %(line)s: %(error)s") % {"line": line, "error": _explained(str(error))}]
    return errors


def _explained(error: str) -> str:
    """Django's message without its second line number; a refused or unknown tag named as such."""
    invalid = _INVALID_TAG.match(error)
    if invalid is None:
        return _ON_LINE.sub("", error, count=1)
    tag = invalid.group(1)
    if tag in REFUSED_TAGS:
        return _("{%% %(tag)s %%} is not allowed in stored templates.") % {"tag": tag}
    if tag.startswith("end") or tag in ("else", "elif", "empty", "plural"):
        return _ON_LINE.sub("", error, count=1).split(". Did you forget")[0] + "."
    return _("{%% %(tag)s %%} is not a tag of stored templates; they have: %(tags)s.") % {
        "tag": tag,
        "tags": ", ".join(ALLOWED_TAGS),
    }


class SafeObject:
    """A read-only view of a model instance: concrete non-sensitive field values and its text."""

    __slots__ = ("_values", "_text", "_related", "_depth")

    def __init__(self, obj: Any, depth: int = 0) -> None:
        self._text = safe_text(obj)
        self._values: dict[str, Any] = {}
        self._related: dict[str, tuple[Any, Any]] = {}
        self._depth = depth
        if isinstance(obj, Model):
            self._values["pk"] = plain(obj.pk)
            for field in obj._meta.concrete_fields:
                if is_sensitive(field.name):
                    continue
                self._values[field.attname] = plain(getattr(obj, field.attname, None))
                if field.is_relation and depth < 1:
                    self._related[field.name] = (obj, field)
            self._values.setdefault("id", self._values["pk"])
        else:  # a snapshot of a deleted object: its stored fields
            self._values["pk"] = plain(getattr(obj, "pk", None))
            described = getattr(obj, "_described", None) or {}
            for name, value in (described.get("fields") or {}).items():
                if not is_sensitive(str(name)):
                    self._values[str(name)] = plain(value)

    def __getitem__(self, name: str) -> Any:
        if name in self._related:
            obj, field = self._related[name]
            try:
                related = getattr(obj, field.name)
            except Exception:
                return None
            return None if related is None else SafeObject(related, self._depth + 1)
        return self._values[name]

    def __iter__(self) -> Any:
        return iter(())  # `{% for x in instance %}` loops over nothing

    def __contains__(self, name: object) -> bool:
        return name in self._values or name in self._related

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"<{self._text}>"

    def __bool__(self) -> bool:
        return True


def plain(value: Any) -> Any:
    """A value a template may see: plain data, or its text."""
    if value is None or isinstance(value, _PLAIN):
        return value
    return safe_text(value)


def wrap(value: Any) -> Any:
    """A model instance or snapshot as a :class:`SafeObject`; anything else as plain data."""
    if value is None:
        return None
    if isinstance(value, Model) or hasattr(value, "_described"):
        return SafeObject(value)
    return plain(value)


def sandbox_context(context: dict[str, Any]) -> dict[str, Any]:
    """Only the documented variables, as plain data and :class:`SafeObject` wrappers."""
    safe: dict[str, Any] = {}
    kwargs = to_json_safe(context.get("kwargs") or {})
    if isinstance(kwargs, dict):
        # The signal's own kwargs by name, JSON-safe copies (sensitive keys masked).
        safe.update({k: v for k, v in kwargs.items() if k.isidentifier() and not k.startswith("_")})
    safe["kwargs"] = kwargs
    for name in TEXT_VARIABLES:
        value = context.get(name)
        safe[name] = "" if value is None else safe_text(value)
    for name in OBJECT_VARIABLES:
        safe[name] = wrap(context.get(name))
    for name in NAMED_VARIABLES:
        value = context.get(name)
        safe[name] = "" if value is None else safe_text(getattr(value, "name", "") or value)
    created = context.get("created")
    safe["created"] = None if created is None else bool(created)
    sender = context.get("sender")
    if isinstance(sender, type) and hasattr(sender, "_meta"):
        safe["sender"] = object_label(sender)
    else:
        safe["sender"] = "" if sender is None else safe_text(sender, 200)
    return safe


def render_source(template: Template | None, context: dict[str, Any], autoescape: bool) -> str:
    """Render a compiled part with an already sandboxed context."""
    if template is None:
        return ""
    return template.render(Context(context, autoescape=autoescape))
