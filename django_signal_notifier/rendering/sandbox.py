"""The sandbox of stored templates: a restricted template engine and a context of plain data.

Stored templates are written in the admin, so they are treated as untrusted: they see only the
documented variables, model instances are wrapped so only their concrete, non-sensitive field
values and their text are visible (no methods, no managers, no password hashes), and only
harmless tags are available (no ``{% load %}``, ``{% include %}``, ``{% extends %}``,
``{% debug %}``, ``{% csrf_token %}``, ``{% url %}`` or ``{% lorem %}``). Every default filter is
available except the padding ones (``center``, ``ljust``, ``rjust``) and the ones that output raw
HTML (``safe``, ``safeseq``; ``{% autoescape off %}`` is refused too): user content in a stored
template's HTML part is always escaped.

What an object shows depends on what it is, not on its field names alone: a user other than the
recipient shows only ``USER_PUBLIC_FIELDS``; the recipient shows their own fields but never their
password or staff and superuser flags; in the admin preview, objects of models the viewer may not
view show nothing. Rendering is bounded (:mod:`django_signal_notifier.rendering.bounds`).
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.template import (
    Engine,
    Library,
    Template,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
    loader_tags,
)
from django.utils.translation import gettext as _

from django_signal_notifier.events.snapshot import (
    NEVER_SHOWN_USER_FIELDS,
    is_sensitive,
    is_user_instance,
    is_user_label,
    object_label,
    public_user_values,
    safe_text,
    to_json_safe,
    user_text,
)
from django_signal_notifier.rendering.bounds import RenderBudget, bound_nodes, bounded_filter, render_bounded

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

# Padding filters can inflate the output without bound ({{ x|ljust:"999999999" }}).
PADDING_FILTERS = ("center", "ljust", "rjust")
# Filters that mark text as safe HTML: user content would reach an HTML part unescaped.
RAW_HTML_FILTERS = ("safe", "safeseq")
REFUSED_FILTERS = (*PADDING_FILTERS, *RAW_HTML_FILTERS)


def _raw_html_refused(what: str) -> str:
    return _(
        "%(what)s is not allowed in stored templates: they never output raw HTML, so user content stays escaped."
    ) % {"what": what}


def _autoescape_on_only(parser: Any, token: Any) -> Any:
    """``{% autoescape on %}`` as Django has it; ``off`` refused."""
    bits = token.split_contents()
    if len(bits) == 2 and bits[1] == "off":
        raise TemplateSyntaxError(_raw_html_refused("{% autoescape off %}"))
    return defaulttags.register.tags["autoescape"](parser, token)


register = Library()
register.tags.update({name: defaulttags.register.tags[name] for name in ALLOWED_TAGS})
register.tags["autoescape"] = _autoescape_on_only
register.filters.update(
    {k: bounded_filter(k, v) for k, v in defaultfilters.register.filters.items() if k not in REFUSED_FILTERS}
)

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
    """Compile one part of a stored template (None when empty), its nodes bounded; errors explained."""
    if not source.strip():
        return None
    try:
        return bound_nodes(_render_engine.from_string(source))
    except TemplateSyntaxError as error:
        raise TemplateSyntaxError(_explained(str(error))) from error


# Tags Django has but stored templates do not (their error says so, not "did you forget to load it?").
REFUSED_TAGS = frozenset(set(defaulttags.register.tags) | set(loader_tags.register.tags)) - set(ALLOWED_TAGS)
_INVALID_TAG = re.compile(r"^Invalid block tag on line \d+: '([^']+)'")
_INVALID_FILTER = re.compile(r"^Invalid filter: '([^']+)'")
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
    """Django's message without its second line number; a refused or unknown tag or filter named as such."""
    refused_filter = _INVALID_FILTER.match(error)
    if refused_filter is not None and refused_filter.group(1) in RAW_HTML_FILTERS:
        return _raw_html_refused(f"|{refused_filter.group(1)}")
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


@dataclass(frozen=True)
class Audience:
    """Who a render is for: the recipient (who sees their own fields) and, in the admin preview,
    which models the viewer may view (``may_view(model)``; None: every model)."""

    recipient_pk: Any = None
    may_view: Callable[[type[Model]], bool] | None = None

    def is_recipient(self, obj: Any) -> bool:
        pk = getattr(obj, "pk", None)
        return self.recipient_pk is not None and pk is not None and str(pk) == str(self.recipient_pk)

    def hides(self, obj: Any) -> bool:
        """Whether ``obj`` renders as nothing: a model the viewer may not view (their own user row aside)."""
        if self.may_view is None or not isinstance(obj, Model) or self.is_recipient(obj) and is_user_instance(obj):
            return False
        return not self.may_view(type(obj))


EVERYONE = Audience()


class SafeObject:
    """A read-only view of a model instance: the fields its audience may see, and its text."""

    __slots__ = ("_values", "_text", "_related", "_depth", "_audience")

    def __init__(self, obj: Any, depth: int = 0, audience: Audience = EVERYONE) -> None:
        self._values: dict[str, Any] = {}
        self._related: dict[str, tuple[Any, Any]] = {}
        self._depth = depth
        self._audience = audience
        other_user = not audience.is_recipient(obj)
        if isinstance(obj, Model) and is_user_instance(obj) and other_user:
            self._text = plain_text(user_text(obj))
            self._values.update(public_user_values(obj, plain))
        elif isinstance(obj, Model):
            self._text = plain_text(safe_text(obj))
            self._values["pk"] = plain(obj.pk)
            own_user = is_user_instance(obj)
            for field in obj._meta.concrete_fields:
                if is_sensitive(field.name) or own_user and field.name in NEVER_SHOWN_USER_FIELDS:
                    continue
                self._values[field.attname] = plain(getattr(obj, field.attname, None))
                if field.is_relation and depth < 1:
                    self._related[field.name] = (obj, field)
            if own_user:
                self._values.update({k: v for k, v in public_user_values(obj, plain).items() if k not in self._values})
            self._values.setdefault("id", self._values["pk"])
        else:  # a snapshot of a deleted object: its stored fields (a user's are only the public ones)
            self._text = plain_text(safe_text(obj))
            self._values["pk"] = plain(getattr(obj, "pk", None))
            described = getattr(obj, "_described", None) or {}
            hidden = NEVER_SHOWN_USER_FIELDS if is_user_label(described.get("model")) else ()
            for name, value in (described.get("fields") or {}).items():
                if not is_sensitive(str(name)) and name not in hidden:
                    self._values[str(name)] = plain(value)

    def __getitem__(self, name: str) -> Any:
        if name in self._related:
            obj, field = self._related[name]
            try:
                related = getattr(obj, field.name)
            except Exception:
                return None
            return wrap(related, self._audience, self._depth + 1)
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


def plain_text(text: str) -> str:
    """``text`` as a plain ``str``: a SafeString from code is plain text here, so stored templates escape it."""
    return str.__str__(text)


def plain(value: Any) -> Any:
    """A value a template may see: plain data, or its text (never text marked safe HTML)."""
    if isinstance(value, str):
        return plain_text(value)
    if value is None or isinstance(value, _PLAIN):
        return value
    return plain_text(safe_text(value))


def _plain_data(value: Any) -> Any:
    """JSON-safe data (kwargs) with every text plain, so none of it is marked safe HTML."""
    if isinstance(value, dict):
        return {str.__str__(k) if isinstance(k, str) else k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return plain(value)


def wrap(value: Any, audience: Audience = EVERYONE, depth: int = 0) -> Any:
    """A model instance or snapshot as a :class:`SafeObject` ("" when hidden); anything else as plain data."""
    if value is None:
        return None
    if isinstance(value, Model) or hasattr(value, "_described"):
        return "" if audience.hides(value) else SafeObject(value, depth, audience)
    return plain(value)


def sandbox_context(context: dict[str, Any], may_view: Callable[[type[Model]], bool] | None = None) -> dict[str, Any]:
    """Only the documented variables, as plain data and :class:`SafeObject` wrappers for the recipient."""
    safe: dict[str, Any] = {}
    kwargs = _plain_data(to_json_safe(context.get("kwargs") or {}))
    if isinstance(kwargs, dict):
        # The signal's own kwargs by name, JSON-safe copies (sensitive keys masked).
        safe.update({k: v for k, v in kwargs.items() if k.isidentifier() and not k.startswith("_")})
    safe["kwargs"] = kwargs
    for name in TEXT_VARIABLES:
        value = context.get(name)
        safe[name] = "" if value is None else plain(safe_text(value))
    recipient = context.get("recipient", context.get("user"))
    audience = Audience(getattr(recipient, "pk", None), may_view)
    for name in OBJECT_VARIABLES:
        safe[name] = wrap(context.get(name), audience)
    for name in NAMED_VARIABLES:
        value = context.get(name)
        safe[name] = "" if value is None else plain(safe_text(getattr(value, "name", "") or value))
    created = context.get("created")
    safe["created"] = None if created is None else bool(created)
    sender = context.get("sender")
    if isinstance(sender, type) and hasattr(sender, "_meta"):
        safe["sender"] = object_label(sender)
    else:
        safe["sender"] = "" if sender is None else safe_text(sender, 200)
    return safe


def render_source(
    template: Template | None, context: dict[str, Any], autoescape: bool, budget: RenderBudget | None = None
) -> str:
    """Render a compiled part with an already sandboxed context, within ``budget`` (one from the settings if None)."""
    if template is None:
        return ""
    return render_bounded(template, context, autoescape, budget or RenderBudget.from_settings())
