"""Mutes in the fan-out: a user who muted an event's object or thread is left out, on every channel.

The recipient query carries the mutes as an anti-join (``NOT EXISTS`` on the mute table's
unique index), so leaving them out costs no query of its own whatever the audience; explicit
sends, whose recipients are given, read them in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q

from django_signal_notifier.models import Mute

# (content type id, object id) of what an event is about: its action object, then its target.
About = tuple[tuple[int, str], ...]


def about_event(event_row: Any) -> About:
    """What ``event_row`` is about, as the keys a mute names: its action object and its target."""
    found: list[tuple[int, str]] = []
    for ct_id, object_id in (
        (event_row.action_object_content_type_id, event_row.action_object_id),
        (event_row.target_content_type_id, event_row.target_object_id),
    ):
        if ct_id and object_id and (ct_id, str(object_id)) not in found:
            found.append((int(ct_id), str(object_id)))
    return tuple(found)


def _about_q(about: Sequence[tuple[Any, Any]]) -> Q:
    query = Q()
    for ct_id, object_id in about:
        query |= Q(content_type_id=ct_id, object_id=object_id)
    return query


def not_muted_q(about: Sequence[tuple[Any, Any]], user_column: str = "pk") -> Q:
    """Users (rows whose ``user_column`` is a user id) who muted none of ``about``; ``Q()`` for nothing."""
    if not about:
        return Q()
    mutes = Mute.objects.filter(user_id=OuterRef(user_column)).filter(_about_q(about))
    return ~Q(Exists(mutes))


def muted_among(user_ids: Iterable[Any], about: About, using: str | None = None) -> set[Any]:
    """Those of ``user_ids`` who muted something of ``about``: one query (none when about nothing)."""
    ids = list(user_ids)
    if not about or not ids:
        return set()
    found = Mute.objects.using(using).filter(user_id__in=ids).filter(_about_q(about))
    return set(found.values_list("user_id", flat=True))
