"""Rendering: the template context of an event, per recipient, in the recipient's language."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.conf import app_settings
from django_signal_notifier.events.snapshot import SignalEvent, is_model_instance, object_label, safe_text
from django_signal_notifier.rendering.base import MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.links import absolute_url, site_url

logger = logging.getLogger("django_signal_notifier.rendering")


class SnapshotObject:
    """A stand-in for an object that no longer exists: its stored fields, read-only."""

    def __init__(self, described: dict[str, Any]) -> None:
        self._described = described
        self.pk = described.get("pk")
        for name, value in (described.get("fields") or {}).items():
            if name.isidentifier() and not name.startswith("_"):
                setattr(self, name, value)

    def __str__(self) -> str:
        return str(self._described.get("repr", ""))

    def __bool__(self) -> bool:
        return True


@dataclass
class EventView:
    """What templates see of an event, live or rebuilt from an Event row."""

    verb: str
    sender: Any
    instance: Any = None
    actor: Any = None
    target: Any = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    created: bool | None = None

    @classmethod
    def from_signal(cls, event: SignalEvent) -> EventView:
        return cls(
            event.verb, event.sender, event.instance, event.actor, event.target, event.signal_kwargs(), event.created
        )

    @classmethod
    def from_row(cls, row: Any) -> EventView:
        """Reload the event's objects (or their snapshot when they were deleted)."""
        snapshot = row.snapshot or {}
        kwargs = dict(snapshot.get("kwargs") or {})
        return cls(
            verb=row.verb,
            sender=snapshot.get("sender"),
            instance=_reload(snapshot.get("action_object")),
            actor=_reload(snapshot.get("actor")),
            target=_reload(snapshot.get("target")),
            kwargs=kwargs,
            created=kwargs.get("created"),
        )


def _reload(described: dict[str, Any] | None) -> Any:
    if not described:
        return None
    ct_id, pk = described.get("content_type_id"), described.get("pk")
    if ct_id and pk is not None:
        try:
            model = ContentType.objects.get_for_id(ct_id).model_class()
            if model is not None:
                found = model._default_manager.filter(pk=pk).first()
                if found is not None:
                    return found
                gone = SnapshotObject(described)
                gone.pk = model._meta.pk.to_python(pk)  # the key as the model types it, not its stored text
                return gone
        except Exception:
            pass
        return SnapshotObject(described)
    return described.get("repr")


def action_text(verb: str, created: bool | None) -> Any:
    """A human phrase for the verb: 'created', 'updated', 'deleted', …

    Lazy: the context is built once per event and the phrase is translated when each recipient's
    message is rendered in that recipient's language.
    """
    if verb in ("post_save", "pre_save"):
        return _("created") if created else _("updated")
    return {
        "pre_delete": _("deleted"),
        "post_delete": _("deleted"),
        "m2m_changed": _("changed"),
        "user_logged_in": _("logged in"),
        "user_logged_out": _("logged out"),
        "user_login_failed": _("failed to log in"),
    }.get(verb, verb.replace("_", " "))


def base_context(view: EventView, trigger: Any = None, subscription: Any = None) -> dict[str, Any]:
    """The context shared by every recipient of one (event, subscription)."""
    instance = view.instance
    context: dict[str, Any] = {}
    context.update({k: v for k, v in view.kwargs.items() if isinstance(k, str) and k.isidentifier()})
    context.update(
        {
            "verb": view.verb,
            "signal": view.verb,
            "action": action_text(view.verb, view.created),
            "created": view.created,
            "sender": sender_label(view.sender),
            "instance": instance,
            "action_object": instance,
            "instance_type": _verbose_name(instance),
            "instance_url": absolute_url(_object_url(instance)),
            "site_url": site_url(),
            "actor": view.actor,
            "target": view.target,
            "trigger": trigger,
            "subscription": subscription,
            "kwargs": view.kwargs,
        }
    )
    return context


def recipient_context(base: dict[str, Any], recipient: Any) -> dict[str, Any]:
    """The context for one recipient (``user`` is 0.2.1's name; ``context`` its whole-context key)."""
    context = dict(base)
    context["recipient"] = context["user"] = recipient
    context["context"] = context
    return context


def language_for(user: Any) -> str:
    """The language a user's messages are rendered in (``LANGUAGE_GETTER`` or LANGUAGE_CODE).

    The getter's answer is matched to ``settings.LANGUAGES`` ("es-cl" falls back to "es"); an
    unknown language, an empty answer or a getter that raises falls back to LANGUAGE_CODE.
    """
    default = str(settings.LANGUAGE_CODE)
    getter = app_settings.LANGUAGE_GETTER
    if not getter or user is None:
        return default
    try:
        function = import_string(getter) if isinstance(getter, str) else getter
        language = function(user)
        if not language:
            return default
        return translation.get_supported_language_variant(str(language))
    except LookupError:
        return default
    except Exception:
        logger.exception("LANGUAGE_GETTER %r failed for user %s; using %s", getter, getattr(user, "pk", None), default)
        return default


def render(template: MessageTemplate, base: dict[str, Any], recipient: Any, language: str) -> RenderedMessage:
    """Render ``template`` for one recipient in ``language``."""
    with translation.override(language):
        return template.render_message(recipient_context(base, recipient))


def sender_label(sender: Any) -> str:
    """The sender as text: ``app_label.model`` for a model (templates call classes, so never pass one)."""
    if isinstance(sender, type) and hasattr(sender, "_meta"):
        return object_label(sender)
    return "" if sender is None else safe_text(sender, 200)


def _verbose_name(instance: Any) -> Any:
    if is_model_instance(instance):
        return instance._meta.verbose_name  # lazy: translated per recipient
    return ""


def _object_url(instance: Any) -> str:
    getter = getattr(instance, "get_absolute_url", None)
    if not callable(getter):
        return ""
    try:
        return safe_text(getter(), 500)
    except Exception:
        return ""


def load_users(ids: list[Any], using: str | None = None) -> dict[Any, Any]:
    """Users by id, in one query (for templates that read the recipient, and for their language)."""
    return get_user_model()._default_manager.db_manager(using).in_bulk(ids)
