"""The grouped inbox: notifications with the same group key are one entry.

An entry is a group of one recipient's rows sharing a non-empty ``group_key`` (a row with an
empty key is an entry of its own). Its face is its newest row; it also carries how many rows it
has, how many are unread, and up to three of its actors, newest first ("bob and 3 others").

The page is one set-based query (window functions, on SQLite, PostgreSQL and MariaDB): the
folder's rows (whatever :func:`inbox_queryset` filters), ranked within their group; the newest
row of each group, paged; and the distinct actors of the page's groups, joined to it. The badge
counts unread entries in one more query, read from an index of the unread rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.translation import gettext, ngettext

from django_signal_notifier.inbox.queries import LIST_FIELDS, attach_references, inbox_queryset
from django_signal_notifier.models import Notification

MAX_ACTOR_NAMES = 3
# Columns of the face row read from the page query, besides the model's own.
_EXTRA = ("dsn_size", "dsn_unread", "dsn_total", "dsn_actor", "dsn_rank", "dsn_actors")


def actors_phrase(names: list[str], count: int) -> str:
    """"bob", "bob and alice", "bob, alice and carol", "bob and 3 others" (translatable)."""
    names = [name for name in names if name]
    if not names:
        return ""
    if count <= 1:
        return names[0]
    if count == 2 and len(names) >= 2:
        return gettext("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    if count == 3 and len(names) >= 3:
        return gettext("%(first)s, %(second)s and %(third)s") % {
            "first": names[0],
            "second": names[1],
            "third": names[2],
        }
    others = count - 1
    return ngettext("%(first)s and %(count)d other", "%(first)s and %(count)d others", others) % {
        "first": names[0],
        "count": others,
    }


@dataclass
class EntryFacts:
    """What an entry adds to its newest row (set on the row as ``entry``)."""

    key: str
    size: int
    unread_count: int
    actors: list[str]
    actor_count: int

    @property
    def actors_text(self) -> str:
        return actors_phrase(self.actors, self.actor_count)

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "unread_count": self.unread_count,
            "actors": self.actors,
            "actor_count": self.actor_count,
            "actors_text": self.actors_text,
        }


def _summary(row: Notification, facts: EntryFacts) -> str:
    """The entry's line: the newest row's title with its actor widened to the group's actors."""
    title = row.title or str(row)
    actor = row.actor_text
    if facts.actor_count > 1 and actor and title.startswith(actor):
        return facts.actors_text + title[len(actor) :]
    return title


def _entries_sql(base_sql: str, table: str, quote: Any) -> str:
    key, pk, created = quote("group_key"), quote("id"), quote("created_at")
    # Rows without a key each stand alone: their id joins the partition.
    partition = f"{key}, CASE WHEN {key} = '' THEN {pk} ELSE 0 END"
    unread, actor = quote("unread"), quote("actor_text")
    return f"""
WITH dsn_base AS ({base_sql}),
dsn_ranked AS (
  SELECT dsn_base.*,
    ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {created} DESC, {pk} DESC) AS dsn_pos,
    COUNT(*) OVER (PARTITION BY {partition}) AS dsn_size,
    SUM(CASE WHEN {unread} THEN 1 ELSE 0 END) OVER (PARTITION BY {partition}) AS dsn_unread
  FROM dsn_base
),
dsn_page AS (
  SELECT dsn_ranked.*, COUNT(*) OVER () AS dsn_total
  FROM dsn_ranked WHERE dsn_pos = 1
  ORDER BY {created} DESC, {pk} DESC
  LIMIT %s OFFSET %s
),
dsn_actors AS (
  SELECT b.{key} AS dsn_key, b.{actor} AS dsn_actor,
    ROW_NUMBER() OVER (PARTITION BY b.{key} ORDER BY MAX(b.{created}) DESC, b.{actor}) AS dsn_rank,
    COUNT(*) OVER (PARTITION BY b.{key}) AS dsn_actors
  FROM dsn_base b JOIN dsn_page p ON p.{key} = b.{key}
  WHERE b.{key} <> '' AND b.{actor} <> ''
  GROUP BY b.{key}, b.{actor}
)
SELECT dsn_page.*, a.dsn_actor, a.dsn_rank, a.dsn_actors
FROM dsn_page LEFT JOIN dsn_actors a ON a.dsn_key = dsn_page.{key} AND a.dsn_rank <= {MAX_ACTOR_NAMES}
ORDER BY dsn_page.{created} DESC, dsn_page.{pk} DESC, a.dsn_rank
"""


def entry_rows(user: Any, show: str = "active", limit: int = 20, offset: int = 0) -> tuple[list[Notification], int]:
    """One page of ``user``'s entries in folder ``show``, newest first, and how many entries there are.

    Each row is the newest of its entry, with ``entry`` (:class:`EntryFacts`) and ``summary``
    set. One query.
    """
    base = inbox_queryset(user, show).order_by().only(*LIST_FIELDS, "group_key")
    db = base.db
    connection = connections[db]
    base_sql, base_params = base.query.get_compiler(db).as_sql()
    sql = _entries_sql(base_sql, Notification._meta.db_table, connection.ops.quote_name)
    faces: dict[int, Notification] = {}
    total = 0
    for row in Notification.objects.using(db).raw(sql, [*base_params, limit, offset]):
        total = int(row.dsn_total)
        face = faces.get(row.pk)
        if face is None:
            face = faces[row.pk] = row
            face.entry = EntryFacts(  # type: ignore[attr-defined]
                key=row.group_key,
                size=int(row.dsn_size),
                unread_count=int(row.dsn_unread or 0),
                actors=[],
                actor_count=int(row.dsn_actors or (1 if row.actor_text else 0)),
            )
        if row.dsn_actor:
            face.entry.actors.append(row.dsn_actor)  # type: ignore[attr-defined]
    rows = list(faces.values())
    for row in rows:
        facts = row.entry  # type: ignore[attr-defined]
        if not facts.actors and row.actor_text:
            facts.actors = [row.actor_text]
        row.summary = _summary(row, facts)  # type: ignore[attr-defined]
        for column in _EXTRA:
            row.__dict__.pop(column, None)
    return rows, total


def entries_page(user: Any, show: str = "active", number: Any = 1, size: int = 20) -> Page:
    """A paginator page of ``user``'s entries (references attached): one query, two past the end."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    rows, total = entry_rows(user, show, size, (number - 1) * size)
    if not rows and number > 1:
        last = Paginator(range(_entry_total(user, show, size)), size).num_pages
        number = last
        rows, total = entry_rows(user, show, size, (number - 1) * size)
    attach_references(rows)
    return Page(rows, number, Paginator(range(total), size))


def _entry_total(user: Any, show: str, size: int) -> int:
    return entry_rows(user, show, 1, 0)[1]


def group_members(user: Any, notification_id: Any, show: str = "active") -> Any:
    """The rows of the entry ``notification_id`` belongs to (in folder ``show``), newest first.

    An empty queryset when the id is not one of ``user``'s notifications.
    """
    key = Notification.objects.for_user(user).filter(pk=notification_id).values("group_key")[:1]
    rows = inbox_queryset(user, show).only(*LIST_FIELDS, "group_key")
    found = list(key)
    if not found:
        return rows.none()
    if found[0]["group_key"]:
        return rows.filter(group_key=found[0]["group_key"])
    return rows.filter(pk=notification_id)


def group_queryset(user: Any, notification_id: Any) -> Any:
    """All of ``user``'s rows in the entry of ``notification_id`` (any folder), for writes."""
    return group_members(user, notification_id, "all")
