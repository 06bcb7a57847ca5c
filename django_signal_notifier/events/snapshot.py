"""Event capture: what a signal send carried, live and as a JSON-safe snapshot.

The live view (:class:`SignalEvent`) feeds matching and in-process rendering; the snapshot is
stored on the ``Event`` row so a worker, a digest or a message about a deleted object can still
render it.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from django_signal_notifier.conf import app_settings
from django_signal_notifier.events.actor import current_actor
from django_signal_notifier.events.text import storable

# Fields never copied into a snapshot: secrets must not reach the event log or templates.
SENSITIVE_FIELD_WORDS = ("password", "secret", "token", "api_key", "apikey", "private_key", "otp")
MAX_TEXT = 2000
MAX_ITEMS = 100
MAX_DEPTH = 4

# Signal kwargs that describe the send itself rather than the event.
_PLUMBING_KWARGS = frozenset({"signal", "sender", "instance", "using", "update_fields", "raw"})


def is_sensitive(name: str) -> bool:
    """Whether a field or key name looks like it holds a secret."""
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_FIELD_WORDS)


# A user's fields no template shows, not even to that user; another user's show only USER_PUBLIC_FIELDS.
NEVER_SHOWN_USER_FIELDS = frozenset({"password", "is_superuser", "is_staff", "user_permissions", "groups"})
_NEVER_PUBLIC_USER_FIELDS = NEVER_SHOWN_USER_FIELDS | {"last_login"}


def _user_model() -> Any:
    try:
        return get_user_model()
    except Exception:  # AUTH_USER_MODEL not installed (yet): no object is a user
        return None


def is_user_instance(obj: Any) -> bool:
    """Whether ``obj`` is a row of the project's user model."""
    model = _user_model()
    return model is not None and isinstance(obj, model)


def is_user_label(label: Any) -> bool:
    """Whether ``app_label.model`` names the project's user model."""
    model = _user_model()
    return model is not None and label == object_label(model)


def public_user_values(user: Any, as_value: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """What anyone may see of ``user``: its key and the ``USER_PUBLIC_FIELDS`` (methods called).

    ``as_value`` converts each value (JSON-safe by default); the never-shown fields and
    ``last_login`` are left out even when listed.
    """
    convert = as_value or to_json_safe
    values: dict[str, Any] = {"pk": convert(user.pk), "id": convert(user.pk)}
    for name in app_settings.USER_PUBLIC_FIELDS:
        if name in ("str", "pk", "id") or name.startswith("_") or is_sensitive(name):
            continue
        if name in _NEVER_PUBLIC_USER_FIELDS:
            continue
        try:
            value = getattr(user, name)
            if isinstance(value, models.Manager):
                continue
            if callable(value):
                value = value()
        except Exception:
            continue
        values[name] = convert(value)
    return values


def user_text(user: Any) -> str:
    """A user as others may see them: its text when ``"str"`` is a public field, else its model and key."""
    if "str" in app_settings.USER_PUBLIC_FIELDS:
        return safe_text(user)
    return f"{user._meta.verbose_name} {user.pk}"


def object_label(obj: Any) -> str:
    """``app_label.model`` of a model instance or class."""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}"


def is_model_instance(value: Any) -> bool:
    return isinstance(value, models.Model)


def describe(obj: Any) -> dict[str, Any] | None:
    """A JSON-safe description of a model instance: its type, key, text and field values."""
    if obj is None:
        return None
    if not is_model_instance(obj):
        return {"repr": safe_text(obj)}
    if is_user_instance(obj):  # the snapshot serves every recipient: only what anyone may see of a user
        public = public_user_values(obj)
        public.pop("pk", None)
        return {
            "model": object_label(obj),
            "content_type_id": content_type_id(obj),
            "pk": None if obj.pk is None else str(obj.pk),
            "repr": user_text(obj),
            "fields": public,
        }
    fields: dict[str, Any] = {}
    for model_field in obj._meta.concrete_fields:
        if is_sensitive(model_field.name):
            continue
        fields[model_field.attname] = to_json_safe(getattr(obj, model_field.attname, None))
    return {
        "model": object_label(obj),
        "content_type_id": content_type_id(obj),
        "pk": None if obj.pk is None else safe_text(obj.pk, 255),
        "repr": safe_text(obj),
        "fields": fields,
    }


def content_type_id(obj: Any) -> int | None:
    try:
        return ContentType.objects.get_for_model(obj).pk
    except Exception:  # a model without a content type (e.g. not migrated yet)
        return None


def safe_text(value: Any, limit: int = MAX_TEXT) -> str:
    """``str(value)`` that never raises, holds no NUL or lone surrogate and never exceeds ``limit`` characters."""
    try:
        if isinstance(value, bytes):
            text = value.decode("utf-8", errors="replace")
        else:
            text = str(value)
    except Exception as error:  # a __str__ that raises must not break the send
        text = f"<{type(value).__name__}: str() failed: {type(error).__name__}>"
    text = storable(text)  # PostgreSQL refuses NUL, no driver encodes a lone surrogate: the event would be lost
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def to_json_safe(value: Any, depth: int = 0) -> Any:
    """A JSON-serialisable rendition of ``value``; anything unknown becomes its text."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID, datetime.timedelta)):
        return str(value)
    if isinstance(value, bytes):
        return safe_text(value)
    if is_model_instance(value):
        return {
            "model": object_label(value),
            "pk": None if value.pk is None else safe_text(value.pk, 255),
            "repr": user_text(value) if is_user_instance(value) else safe_text(value),
        }
    if isinstance(value, type) and hasattr(value, "_meta"):
        return {"model": object_label(value)}
    if depth >= MAX_DEPTH:
        return safe_text(value)
    if isinstance(value, dict):
        items = list(value.items())[:MAX_ITEMS]
        return {safe_text(k, 200): ("***" if is_sensitive(str(k)) else to_json_safe(v, depth + 1)) for k, v in items}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json_safe(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return safe_text(value)


@dataclass
class SignalEvent:
    """One signal send, seen live: the objects as the signal carried them."""

    verb: str
    sender: Any
    kwargs: dict[str, Any]
    instance: Any = None
    actor: Any = None
    target: Any = None
    created_at: datetime.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_signal(cls, verb: str, sender: Any, kwargs: dict[str, Any]) -> SignalEvent:
        instance = kwargs.get("instance")
        if instance is None and is_model_instance(kwargs.get("user")):
            instance = kwargs["user"]  # the auth signals carry the user as `user`
        if instance is None and is_model_instance(kwargs.get("action_object")):
            instance = kwargs["action_object"]
        actor = kwargs.get("actor", kwargs.get("actor_object"))
        if actor is None and verb in ("user_logged_in", "user_logged_out"):
            actor = kwargs.get("user")
        if actor is None:
            actor = current_actor()
        return cls(verb=verb, sender=sender, kwargs=kwargs, instance=instance, actor=actor, target=kwargs.get("target"))

    @property
    def created(self) -> bool | None:
        """post_save's ``created`` flag (None for other signals)."""
        value = self.kwargs.get("created")
        return None if value is None else bool(value)

    def signal_kwargs(self) -> dict[str, Any]:
        """The kwargs that are the event's own data (not sender/instance plumbing)."""
        return {k: v for k, v in self.kwargs.items() if k not in _PLUMBING_KWARGS}

    def snapshot(self) -> dict[str, Any]:
        """The JSON-safe record stored on the Event row."""
        sender = self.sender
        if isinstance(sender, type) and hasattr(sender, "_meta"):
            sender_text = object_label(sender)
        else:
            sender_text = safe_text(sender, 200)
        target = self.target
        return {
            "sender": sender_text,
            "action_object": describe(self.instance),
            "actor": describe(self.actor),
            "target": describe(target)
            if is_model_instance(target)
            else (None if target is None else {"repr": safe_text(target)}),
            "kwargs": to_json_safe(self.signal_kwargs()),
            "extra": to_json_safe(self.extra),
        }


# The snapshot key of an explicit send (notify()): {"mandatory": bool}. Delivery reads it to scope
# the message's unsubscribe link to its verb, or to leave the link out of a mandatory message.
SENT_FROM_CODE = "sent_from_code"


def target_matches(expected: str, target: Any) -> bool:
    """Whether a trigger's ``target`` text matches the signal's target."""
    if target is None:
        return False
    if is_model_instance(target):
        label = object_label(target)
        return expected in (label, f"{label}:{target.pk}")
    if isinstance(target, type) and hasattr(target, "_meta"):
        return expected == object_label(target)
    return expected == safe_text(target)
