"""Immutable, in-memory views of the configuration, built once per configuration change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class BackendSpec:
    """A backend as the engine needs it: which messenger, which template, which options.

    ``id`` is None for a channel named in an explicit send without a stored Backend.
    """

    id: int | None
    name: str
    messenger: str
    message_template: str
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Its step in the subscription (config/steps.py): seconds after the event, and whether it is
    # sent only while the event's in-site notification is unread.
    delay_seconds: int = 0
    only_if_unread: bool = False
    fallback: bool = False  # sent only where the step before it ended dead or undeliverable
    has_fallback: bool = False  # the step after it is a fallback
    inbox_expires_at: datetime | None = None  # an explicit send's in-site notifications expire then
    send_at: str = ""  # a field path on the event's object giving the step's time (a reminder)
    offset_seconds: int = 0  # added to the send_at time
    skip_if_past: bool = False  # a send_at time already gone: skipped rather than sent at once
    urgent: bool = False  # not held by the recipient's quiet hours
    # Conditions checked when it is about to be sent (its step's only_if), against the object re-read when ``fresh``.
    only_if: tuple[Any, ...] = field(default=(), hash=False, compare=False)
    fresh: bool = False

    @property
    def plain(self) -> bool:
        """Sent at once, unconditionally, with no step after it: what a user's digest may take."""
        return not (
            self.delay_seconds
            or self.send_at
            or self.only_if_unread
            or self.fallback
            or self.has_fallback
            or self.urgent
        )


@dataclass(frozen=True)
class SubscriptionSpec:
    """An enabled subscription and its backends; receivers are resolved per event."""

    id: int
    name: str
    backends: tuple[BackendSpec, ...]
    receiver_field_paths: tuple[str, ...] = ()  # dotted paths from the sender object to users
    receiver_callable: str = ""  # registered name of (EventView) -> users, ids or a queryset
    exclude_actor: bool = False

    @property
    def has_dynamic_receivers(self) -> bool:
        return bool(self.receiver_field_paths or self.receiver_callable)

    mandatory: bool = False
    digest_seconds: int = 0
    digest_template: str = ""
    throttle_seconds: int = 0
    inbox_expiry_seconds: int = 0  # its in-site notifications expire this long after the event (0: never)
    group_by: str = "verb_object"  # how its in-site rows collapse into inbox entries (inbox/group_keys.py)
    group_key_template: str = ""


@dataclass(frozen=True)
class TriggerSpec:
    """An enabled trigger: what a send must match, and where matching sends go."""

    id: int
    name: str
    verb: str
    model: Any  # the sender model class, or None for any sender
    object_id: str | None  # canonical text of the primary key, or None for any object
    actor_model: Any
    actor_id: str | None
    target: str | None
    subscriptions: tuple[SubscriptionSpec, ...]
    conditions: tuple[Any, ...] = ()  # compiled conditions.Condition objects; all must hold
    cancels_pending: bool = False  # its events cancel the pending messages about the same object
