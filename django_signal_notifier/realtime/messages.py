"""The pub/sub's wire format: one compact JSON message per inbox write (per chunk of a bulk write).

``{"k": kind, "u": [user ids] | null, "e": event id, "n": [notification ids]}``: ``kind`` is
``new`` (rows of event ``e`` were written for users ``u``), ``read``, ``unread``, ``archived``,
``unarchived`` or ``changed`` (anything else); ``u`` null means rows of any user. A PostgreSQL
NOTIFY payload must stay under 8,000 bytes, so a long list of users is split over several messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_PAYLOAD_BYTES = 7000
KINDS = ("new", "read", "unread", "archived", "unarchived", "changed")


@dataclass(frozen=True)
class InboxMessage:
    """One inbox write as the listeners see it."""

    kind: str
    user_ids: tuple[int, ...] | None
    event_id: int | None = None
    notification_ids: tuple[int, ...] = ()


def kind_of(change: Mapping[str, Any] | None) -> str:
    """The kind of a queryset write from the values it set (``{"unread": False, "read_at": …}`` is ``read``).

    Reading also stamps ``read_at`` and ``seen_at``; a write that sets neither the unread nor the
    archived flag (seen, snoozed) is ``changed``.
    """
    change = dict(change or {})
    if change.get("unread") is False:
        return "read"
    if change.get("unread") is True:
        return "unread"
    if change.get("archived") is True:
        return "archived"
    if change.get("archived") is False:
        return "unarchived"
    return "changed"


def _payload(kind: str, users: list[int] | None, event_id: int | None, ids: list[int]) -> str:
    body: dict[str, Any] = {"k": kind, "u": users}
    if event_id is not None:
        body["e"] = event_id
    if ids:
        body["n"] = ids
    return json.dumps(body, separators=(",", ":"))


def encode(
    kind: str,
    user_ids: Iterable[Any] | None,
    event_id: int | None = None,
    notification_ids: Iterable[int] = (),
) -> list[str]:
    """The payloads of one write: one, or several when the users do not fit in one NOTIFY."""
    ids = [int(pk) for pk in notification_ids]
    if user_ids is None:
        return [_payload(kind, None, event_id, [])]
    users = sorted({int(uid) for uid in user_ids})
    if not users:
        return []
    whole = _payload(kind, users, event_id, ids)
    if len(whole) <= MAX_PAYLOAD_BYTES:
        return [whole]
    # Too long: the rows' ids are dropped (a listener then reads the rows by event or sends counts
    # only) and the users are split into runs that each fit.
    payloads: list[str] = []
    run: list[int] = []
    size = 0
    for uid in users:
        width = len(str(uid)) + 1
        if run and size + width > MAX_PAYLOAD_BYTES - 100:
            payloads.append(_payload(kind, run, event_id, []))
            run, size = [], 0
        run.append(uid)
        size += width
    payloads.append(_payload(kind, run, event_id, []))
    return payloads


def decode(payload: str | bytes) -> InboxMessage | None:
    """The message of a payload; None for one that is not ours or malformed (it is ignored)."""
    try:
        body = json.loads(payload)
        kind = body["k"]
        users = body.get("u")
        if kind not in KINDS:
            return None
        return InboxMessage(
            kind=kind,
            user_ids=None if users is None else tuple(int(uid) for uid in users),
            event_id=None if body.get("e") is None else int(body["e"]),
            notification_ids=tuple(int(pk) for pk in body.get("n") or ()),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
