"""Message templates: *what* is sent, rendered per recipient with the event's context."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Engine, Template

from django_signal_notifier.events.text import stored_text
from django_signal_notifier.exceptions import MessageTemplateError

_fallback_engine: Engine | None = None
_compiled: dict[tuple[type, str], Template] = {}
_RECIPIENT_WORDS = re.compile(r"\b(recipient|user|context)\b")


def template_engine() -> Engine:
    """The project's Django template engine, or a plain one when the project has none."""
    global _fallback_engine
    try:
        return Engine.get_default()
    except ImproperlyConfigured:
        if _fallback_engine is None:
            _fallback_engine = Engine(app_dirs=True)
        return _fallback_engine


@dataclass
class RenderedMessage:
    """The rendered parts of one message."""

    subject: str = ""
    text: str = ""
    html: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_content(self) -> dict[str, Any]:
        """The JSON stored on a Delivery (each text part storable and capped at ``MAX_STORED_TEXT``)."""
        return {k: stored_text(v) for k, v in asdict(self).items() if v}

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> RenderedMessage:
        """The message stored by :meth:`as_content` (missing parts empty)."""
        return cls(
            subject=content.get("subject") or "",
            text=content.get("text") or "",
            html=content.get("html") or "",
            url=content.get("url") or "",
            data=dict(content.get("data") or {}),
        )


class MessageTemplate:
    """A message in Django's template language: a subject, a text body, optionally HTML and a URL.

    Set the parts as template strings (``subject``, ``template_string``, ``html``, ``url``) or
    files (``file_name``, ``html_file_name``). Override :meth:`get_context` to add variables.
    The context holds: verb, signal, action, created, sender, instance, actor, target,
    recipient, trigger, subscription, kwargs and the signal's other kwargs by name.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    subject: ClassVar[str] = ""
    template_string: ClassVar[str] = ""
    file_name: ClassVar[str] = ""
    html: ClassVar[str] = ""
    html_file_name: ClassVar[str] = ""
    url: ClassVar[str] = ""
    offered: ClassVar[bool] = True  # False: kept for existing rows, not offered to new backends

    # -- hooks --------------------------------------------------------------------------------
    def get_template_context(self, context: dict[str, Any]) -> dict[str, Any]:
        """0.2.1's hook: change or extend the context (return it)."""
        return context

    def get_context(self, context: dict[str, Any]) -> dict[str, Any]:
        """Change or extend the context before rendering."""
        return self.get_template_context(context)

    # -- introspection ------------------------------------------------------------------------
    def sources(self) -> dict[str, str]:
        """The template source of each part (files read through the engine)."""
        found: dict[str, str] = {}
        for part in ("subject", "text", "html", "url"):
            template = self._template(part)
            if template is not None:
                found[part] = template.source
        return found

    def uses_recipient(self) -> bool:
        """Whether rendering differs per recipient (else it is rendered once per event)."""
        if type(self).get_context is not MessageTemplate.get_context or (
            type(self).get_template_context is not MessageTemplate.get_template_context
        ):
            return True
        return any(_RECIPIENT_WORDS.search(source) for source in self.sources().values())

    # -- rendering ----------------------------------------------------------------------------
    def render_message(self, context: dict[str, Any]) -> RenderedMessage:
        """Render every part with ``context``."""
        context = self.get_context(dict(context))
        text_context = Context(context, autoescape=False)
        html_context = Context(context, autoescape=True)
        subject = self._render("subject", text_context)
        if type(self).render is not MessageTemplate.render:
            # A 0.2.1 template that overrides render() owns its text.
            text = type(self).render(
                self, context.get("recipient"), context.get("trigger_context", {}), context.get("kwargs", {})
            )
        else:
            text = self._render("text", text_context)
        return RenderedMessage(
            subject=" ".join(subject.split()),
            text=text.strip(),
            html=self._render("html", html_context),
            url=self._render("url", text_context).strip(),
        )

    def render(self, user: Any, trigger_context: dict[str, Any], signal_kwargs: dict[str, Any]) -> str:
        """0.2.1's API: the text body for ``user``, from a trigger context and signal kwargs."""
        context: dict[str, Any] = dict(signal_kwargs)
        context.update(trigger_context)
        # The names today's templates use (SimplePrintMessageTemplate's "instance"), from 0.2.1's.
        instance = context.get("instance", trigger_context.get("action_object"))
        context.setdefault("instance", instance)
        meta = getattr(instance, "_meta", None)
        context.setdefault("instance_type", meta.verbose_name if meta is not None else "")
        context["user"] = context["recipient"] = user
        context["context"] = context
        context = self.get_context(context)
        return self._render("text", Context(context, autoescape=False)).strip()

    def _render(self, part: str, context: Context) -> str:
        template = self._template(part)
        if template is None:
            return ""
        try:
            return template.render(context)
        except Exception as error:
            raise MessageTemplateError(f"{type(self).__name__}: rendering the {part} failed: {error}") from error

    def _template(self, part: str) -> Template | None:
        key = (type(self), part)
        if key in _compiled:
            return _compiled[key]
        source_attr, file_attr = {
            "subject": ("subject", ""),
            "text": ("template_string", "file_name"),
            "html": ("html", "html_file_name"),
            "url": ("url", ""),
        }[part]
        source = getattr(self, source_attr, "") or ""
        file_name = getattr(self, file_attr, "") if file_attr else ""
        engine = template_engine()
        try:
            if file_name:
                template: Template | None = engine.get_template(file_name)
            elif source.strip():
                template = engine.from_string(source)
            else:
                template = None
        except Exception as error:
            raise MessageTemplateError(f"{type(self).__name__}: the {part} template is invalid: {error}") from error
        _compiled[key] = template  # type: ignore[assignment]
        return template


def clear_template_cache() -> None:
    """Forget compiled templates (after a template file or class changed in development)."""
    _compiled.clear()
