"""Stored templates as message-template classes: ``db:<name>`` in a Backend's message_template.

Each record becomes a :class:`StoredMessageTemplate` subclass compiled once with the sandbox
engine and cached per record. The cache is dropped when a record is saved or deleted in this
process, and when the configuration version stamp moves (a change made by another process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import DatabaseError
from django.db.models import Model
from django.template import Template
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.exceptions import MessageTemplateError
from django_signal_notifier.models import StoredTemplate
from django_signal_notifier.rendering.base import _RECIPIENT_WORDS, MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.bounds import RenderBudget, RenderLimitExceeded
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.rendering.sandbox import compile_source, render_source, sandbox_context, syntax_errors
from django_signal_notifier.signals import configuration_changed
from django_signal_notifier.validators import cleans

STORED_PREFIX = "db:"
_PARTS = {"subject": "subject", "text": "template_string", "html": "html", "url": "url"}
_cache: dict[str, tuple[int | None, type[StoredMessageTemplate]]] = {}
_lock = threading.Lock()


class StoredMessageTemplate(MessageTemplate):
    """Base of the classes built from StoredTemplate rows; renders sandboxed."""

    record_id: ClassVar[int | None] = None
    compiled_parts: ClassVar[dict[str, Template | MessageTemplateError | None]] = {}
    # In the admin preview: whether the viewer may view a model (objects of other models show nothing).
    may_view: Callable[[type[Model]], bool] | None = None
    # A step or time bound this instance (one fan-out write) passed: the other recipients stop at once.
    spent: RenderLimitExceeded | None = None

    def get_context(self, context: dict[str, Any]) -> dict[str, Any]:
        """Only the documented variables reach a stored template, as the recipient may see them."""
        return sandbox_context(context, self.may_view)

    def uses_recipient(self) -> bool:
        return bool(_RECIPIENT_WORDS.search(self._variables()))

    def _variables(self) -> str:
        return " ".join(getattr(self, attr, "") or "" for attr in _PARTS.values())

    def render_message(self, context: dict[str, Any]) -> RenderedMessage:
        if self.spent is not None:
            raise self.spent
        safe = self.get_context(dict(context))
        budget = RenderBudget.from_settings()  # steps and seconds for the whole message
        parts = {part: self._render_part(part, safe, part == "html", budget) for part in _PARTS}
        return RenderedMessage(
            subject=" ".join(parts["subject"].split()),
            text=parts["text"].strip(),
            html=parts["html"],
            url=parts["url"].strip(),
        )

    def _render_part(self, part: str, context: dict[str, Any], autoescape: bool, budget: RenderBudget) -> str:
        template = self._template(part)
        try:
            return render_source(template, context, autoescape, budget)
        except RenderLimitExceeded as error:
            named = RenderLimitExceeded(f"{self.name}: the {part}: {error}", error.work)
            if error.work:
                self.spent = named
            raise named from error
        except Exception as error:
            raise MessageTemplateError(f"{self.name}: rendering the {part} failed: {error}") from error

    def _template(self, part: str) -> Template | None:
        compiled = type(self).compiled_parts.get(part)
        if isinstance(compiled, MessageTemplateError):
            raise compiled
        return compiled


def build_template_class(record: Any) -> type[StoredMessageTemplate]:
    """A StoredMessageTemplate subclass for one StoredTemplate row, its parts compiled."""
    compiled: dict[str, Template | MessageTemplateError | None] = {}
    for part, source in record.sources().items():
        try:
            compiled[part] = compile_source(source or "")
        except Exception as error:
            compiled[part] = MessageTemplateError(
                f"{STORED_PREFIX}{record.name}: the {part} template is invalid: {error}"
            )
    attributes = {attr: record.sources()[part] or "" for part, attr in _PARTS.items()}
    attributes.update(
        name=f"{STORED_PREFIX}{record.name}",
        label=f"{record.name} (stored)",
        record_id=record.pk,
        compiled_parts=compiled,
        __doc__=record.description or f"The stored template {record.name}.",
        __module__=__name__,
    )
    return type(f"StoredTemplate_{record.pk}", (StoredMessageTemplate,), attributes)


def stored_template_class(name: str) -> type[StoredMessageTemplate] | None:
    """The class of ``db:<name>`` (cached), or None when no such record exists."""
    record_name = name[len(STORED_PREFIX) :]
    version = _configuration_version()
    cached = _cache.get(record_name)
    if cached is not None and cached[0] == version:
        return cached[1]
    try:
        record = _records().filter(name=record_name).first()
    except DatabaseError:
        return None
    if record is None:
        return None
    cls = build_template_class(record)
    with _lock:
        _cache[record_name] = (version, cls)
    return cls


def _records() -> Any:
    return StoredTemplate.objects


def stored_template_choices() -> list[tuple[str, str]]:
    """``(db:<name>, label)`` for every stored template, for the Backend admin form."""

    try:
        names = list(_records().values_list("name", flat=True))
    except DatabaseError:
        return []
    return [(f"{STORED_PREFIX}{name}", f"{name} (stored)") for name in names]


def forget_stored_templates() -> None:
    """Drop every cached stored-template class (a record changed)."""
    with _lock:
        _cache.clear()


def _no_version() -> int | None:
    return None


# The configuration version (moved by a change in any process); the trigger index provides it.
_configuration_version: Callable[[], int | None] = _no_version


def follow_configuration_version(version: Callable[[], int | None]) -> None:
    """Drop cached classes whenever ``version()`` moves (the configuration stage calls this once)."""
    global _configuration_version
    _configuration_version = version


def _forget_on_change(sender: object, **kwargs: object) -> None:
    if sender is StoredTemplate:
        forget_stored_templates()


configuration_changed.connect(_forget_on_change, dispatch_uid="django_signal_notifier.rendering.stored")


@cleans("storedtemplate")
def stored_template_errors(record: StoredTemplate) -> dict[str, list[str]]:
    """Syntax errors by part, and a record with nothing to send."""
    errors = syntax_errors(record.sources())
    if not (record.subject.strip() or record.text.strip() or record.html.strip()):
        errors.setdefault("text", []).append(str(_("Write at least a subject, a text body or an HTML body.")))
    return errors


class _StoredTemplates:
    """The registry's source of ``db:<name>`` templates."""

    template_class = staticmethod(stored_template_class)
    choices = staticmethod(stored_template_choices)


template_registry.stored = _StoredTemplates()
