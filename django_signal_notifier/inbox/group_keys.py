"""Group keys: which in-site notifications of one recipient collapse into one inbox entry.

A key is computed once per event and subscription in the fan-out and stored on each row
(``Notification.group_key``); rows of one recipient with the same non-empty key are one entry.
An empty key leaves the row on its own. Keys name their parts (``verb_object|commented|12:7``),
so the keys of two groupings never collide, and stay within the column (long ones are hashed).
"""

from __future__ import annotations

import hashlib
import string
from datetime import datetime
from typing import Any

from django_signal_notifier.models import GroupBy

MAX_LENGTH = 255


def _reference(snapshot: dict[str, Any], role: str) -> str:
    described = snapshot.get(role) or {}
    ct_id, pk = described.get("content_type_id"), described.get("pk")
    return f"{ct_id}:{pk}" if ct_id and pk not in (None, "") else ""


def fit(key: str) -> str:
    """``key`` itself, or a digest of it when it does not fit the column."""
    if len(key) <= MAX_LENGTH:
        return key
    return "sha256|" + hashlib.sha256(key.encode()).hexdigest()


def group_key(
    group_by: str,
    template: str,
    verb: str,
    snapshot: dict[str, Any],
    *,
    trigger_id: Any = None,
    subscription_id: Any = None,
) -> str:
    """The key of one event's in-site rows under a subscription's grouping ("" = no grouping).

    ``verb_object`` and ``verb_target`` need the object (target): without it the rows stand alone.
    """
    if group_by == GroupBy.NONE:
        return ""
    if group_by == GroupBy.VERB_TARGET:
        target = _reference(snapshot, "target")
        return fit(f"verb_target|{verb}|{target}") if target else ""
    if group_by == GroupBy.CUSTOM:
        return custom_key(template, verb, snapshot, trigger_id, subscription_id)
    action_object = _reference(snapshot, "action_object")
    return fit(f"verb_object|{verb}|{action_object}") if action_object else ""


def custom_key(template: str, verb: str, snapshot: dict[str, Any], trigger_id: Any, subscription_id: Any) -> str:
    """``template`` with its fields filled in; "" when it is empty or malformed (the checks say why)."""
    if not template:
        return ""
    values = {
        "verb": verb,
        "actor": _reference(snapshot, "actor"),
        "action_object": _reference(snapshot, "action_object"),
        "target": _reference(snapshot, "target"),
        "trigger": "" if trigger_id is None else str(trigger_id),
        "subscription": "" if subscription_id is None else str(subscription_id),
    }
    try:
        filled = string.Formatter().vformat(template, (), values)
    except (KeyError, IndexError, ValueError):
        return ""
    return fit(f"custom|{filled}")


def digest_group_key(subscription_id: Any, digest_seconds: int, created_at: datetime) -> str:
    """The key of a digest subscription's in-site rows: one entry per window of ``digest_seconds``.

    Windows are aligned on the epoch, so every row of one window gets the same key without
    reading the rows before it.
    """
    window = int(created_at.timestamp()) // max(1, digest_seconds)
    return f"digest|{subscription_id}|{digest_seconds}|{window}"
