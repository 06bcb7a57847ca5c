"""Cursor pagination over ``(created_at, id)``, newest first: pages stay stable while rows are added.

A cursor is the position of the last row of a page, encoded opaquely; the next page holds the
rows strictly after it in the order. A notification written meanwhile is newer than every row
already listed, so it never shifts a later page (unlike page numbers).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from django_signal_notifier.api.responses import BadRequest


def encode_cursor(created_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names; :class:`BadRequest` for anything this module did not write."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _bar, pk = text.partition("|")
        created_at = parse_datetime(stamp)
        if created_at is None or created_at.tzinfo is None or not pk.isdigit():
            raise ValueError(text)
        return created_at, int(pk)
    except (ValueError, UnicodeError):
        raise BadRequest({"cursor": "Not a cursor given by this API."})


def after(cursor: str) -> Q:
    """The rows after ``cursor`` in the order ``(-created_at, -id)``."""
    created_at, pk = decode_cursor(cursor)
    return Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)


def page(queryset: Any, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """Up to ``limit`` rows after ``cursor`` (the first page without it), and the next page's cursor."""
    ordered = queryset.order_by("-created_at", "-pk")
    if cursor:
        ordered = ordered.filter(after(cursor))
    rows = list(ordered[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].created_at, rows[-1].pk)
