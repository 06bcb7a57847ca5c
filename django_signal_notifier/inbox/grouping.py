"""The grouped inbox: notifications with the same group key are one entry.

An entry is a group of one recipient's rows sharing a non-empty ``group_key`` (a row with an
empty key is an entry of its own). Its face is its newest row; it also carries how many rows it
has, how many are unread, and up to three of its actors, newest first ("bob and 3 others").

The page is one set-based query (window functions, on SQLite, PostgreSQL and MariaDB): the
folder's newest rows (whatever :func:`inbox_queryset` filters), read in index order, ranked
within their group, give the page's groups; every member of those groups (read through the
``(recipient, group_key, created_at)`` index) gives their sizes, unread counts and distinct
actors. Its cost follows the page and its groups, not the size of the inbox. The badge
counts unread entries in one more query, read from an index of the unread rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext

from django_signal_notifier.inbox.cache import cached
from django_signal_notifier.inbox.queries import LIST_FIELDS, attach_references, inbox_queryset
from django_signal_notifier.models import Notification

MAX_ACTOR_NAMES = 3
# The page's groups are looked for among the folder's newest (page end × SLICE_FACTOR) rows, at
# least MIN_SLICE; a slice with too few groups is widened eightfold, past MAX_SLICE to all rows.
SLICE_FACTOR = 4
MIN_SLICE = 100
MAX_SLICE = 100_000
# The listing's columns and the key, in the model's field order (what Model.from_db expects).
_COLUMNS = tuple(f.attname for f in Notification._meta.concrete_fields if f.attname in {*LIST_FIELDS, "group_key"})


def actors_phrase(names: list[str], count: int) -> str:
    """ "bob", "bob and alice", "bob, alice and carol", "bob and 3 others" (translatable)."""
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
    if facts.actor_count > 1 and actor and title.startswith(actor):  # the phrase only where it shows
        return facts.actors_text + title[len(actor) :]
    return title


def _entries_sql(recent_sql: str, base_sql: str, table: str, quote: Any, vendor: str = "") -> str:
    """The page query: ``recent_sql`` (the folder's newest rows, LIMITed) finds the page's groups,
    ``base_sql`` (the folder's rows) gives every member of those groups, through the group index."""
    key, pk, created = quote("group_key"), quote("id"), quote("created_at")
    unread, actor = quote("unread"), quote("actor_text")
    columns = ", ".join(f"n.{quote(column)}" for column in _COLUMNS)
    # Rows without a key each stand alone: their id joins the partition.
    partition = f"{key}, CASE WHEN {key} = '' THEN {pk} ELSE 0 END"
    # PostgreSQL would inline the per-group CTEs into the join with the page and compute them
    # again for each page row (SQLite materializes them itself; MariaDB has no such keyword).
    once = "MATERIALIZED " if vendor == "postgresql" else ""
    return f"""
WITH dsn_heads AS (
  SELECT {pk}, {key}, {created},
    ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {created} DESC, {pk} DESC) AS dsn_pos,
    COUNT(*) OVER () AS dsn_seen
  FROM ({recent_sql}) dsn_recent
),
dsn_page AS (
  SELECT {pk}, {key}, {created}, dsn_seen, COUNT(*) OVER () AS dsn_found FROM dsn_heads WHERE dsn_pos = 1
  ORDER BY {created} DESC, {pk} DESC
  LIMIT %s OFFSET %s
),
dsn_members AS (
  SELECT b.{key} AS dsn_key, b.{unread} AS dsn_unread, b.{actor} AS dsn_actor, b.{created} AS dsn_at
  FROM dsn_page p CROSS JOIN ({base_sql}) b
  WHERE b.{key} = p.{key} AND p.{key} <> ''
),
dsn_facts AS {once}(
  SELECT dsn_key, COUNT(*) AS dsn_size, SUM(CASE WHEN dsn_unread THEN 1 ELSE 0 END) AS dsn_unread_size
  FROM dsn_members GROUP BY dsn_key
),
dsn_actors AS {once}(
  SELECT dsn_key, dsn_actor,
    ROW_NUMBER() OVER (PARTITION BY dsn_key ORDER BY MAX(dsn_at) DESC, dsn_actor) AS dsn_rank,
    COUNT(*) OVER (PARTITION BY dsn_key) AS dsn_actors
  FROM dsn_members WHERE dsn_actor <> ''
  GROUP BY dsn_key, dsn_actor
)
SELECT {columns}, f.dsn_size, f.dsn_unread_size, a.dsn_actor, a.dsn_rank, a.dsn_actors, p.dsn_found, p.dsn_seen
FROM dsn_page p
JOIN {quote(table)} n ON n.{pk} = p.{pk}
LEFT JOIN dsn_facts f ON f.dsn_key = p.{key}
LEFT JOIN dsn_actors a ON a.dsn_key = p.{key} AND a.dsn_rank <= {MAX_ACTOR_NAMES}
ORDER BY p.{created} DESC, p.{pk} DESC, a.dsn_rank
"""


def entry_rows(user: Any, show: str = "active", limit: int = 20, offset: int = 0) -> list[Notification]:
    """One page of ``user``'s entries in folder ``show``, newest first.

    Each row is the newest of its entry, with ``entry`` (:class:`EntryFacts`) and ``summary``
    set. One query: it finds the page's groups among the folder's newest rows (a slice, read
    from the inbox index in order), then counts every member of those groups (read from the
    group index). Only when the slice holds fewer groups than the page needs (groups of many
    rows) does it ask again with a slice eight times larger, and at last without one.
    """
    base = inbox_queryset(user, show).order_by().values("id", "group_key", "unread", "actor_text", "created_at")
    db = base.db
    connection = connections[db]
    base_sql, base_params = base.query.get_compiler(db).as_sql()
    quote = connection.ops.quote_name
    newest_first = f" ORDER BY {quote('created_at')} DESC, {quote('id')} DESC"
    needed = offset + limit
    span: int | None = max(needed * SLICE_FACTOR, MIN_SLICE)
    while True:
        # The folder's newest rows: its own query, ordered and cut (span is an int, not user input).
        recent_sql = (
            f"SELECT * FROM ({base_sql}) dsn_all{newest_first}"
            if span is None
            else (f"{base_sql}{newest_first} LIMIT {int(span)}")
        )
        sql = _entries_sql(recent_sql, base_sql, Notification._meta.db_table, quote, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*base_params, limit, offset, *base_params])
            rows, found, seen = _faces(connection, db, cursor.fetchall())
        # Exact when the slice held the groups the page needs, or every row of the folder.
        if span is None or (rows and (found >= needed or seen < span)):
            return rows
        span = span * SLICE_FACTOR if span * SLICE_FACTOR <= MAX_SLICE else None


_CONVERTERS: dict[str, list[list[Any]]] = {}


def _converters(connection: Any) -> list[list[Any]]:
    """Per column of the page query's model part, what turns the database's value into Python's."""
    found = _CONVERTERS.get(connection.alias)
    if found is None:
        found = _CONVERTERS[connection.alias] = [
            connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            for column in map(_column, _COLUMNS)
        ]
    return found


def _faces(connection: Any, db: str, records: list[tuple[Any, ...]]) -> tuple[list[Notification], int, int]:
    """The page's rows (one per entry, facts attached) from the page query's records (one per actor)."""
    width = len(_COLUMNS)
    # Only the columns whose database value needs converting (dates, booleans, JSON on SQLite…).
    converted = [
        (index, chain, _COLUMN_EXPRESSIONS[index]) for index, chain in enumerate(_converters(connection)) if chain
    ]
    faces: dict[Any, Notification] = {}
    found = seen = 0
    for record in records:
        size, unread_size, actor, _rank, actor_count, found, seen = record[width:]
        face = faces.get(record[0])
        if face is None:
            values = list(record[:width])
            for index, chain, column in converted:
                for converter in chain:
                    values[index] = converter(values[index], column, connection)
            face = faces[record[0]] = Notification.from_db(db, _COLUMNS, values)
            grouped = size is not None
            face.entry = EntryFacts(  # type: ignore[attr-defined]
                key=face.group_key,
                size=int(size) if grouped else 1,
                unread_count=int(unread_size or 0) if grouped else int(bool(face.unread)),
                actors=[],
                actor_count=int(actor_count or (1 if face.actor_text else 0)),
            )
        if actor:
            face.entry.actors.append(actor)  # type: ignore[attr-defined]
    rows = list(faces.values())
    for row in rows:
        facts = row.entry  # type: ignore[attr-defined]
        if not facts.actors and row.actor_text:
            facts.actors = [row.actor_text]
        row.summary = _summary(row, facts)  # type: ignore[attr-defined]
    return rows, int(found), int(seen)


def _column(name: str) -> Any:
    field: Any = Notification._meta.get_field(name)
    return field.get_col(Notification._meta.db_table)


_COLUMN_EXPRESSIONS = [_column(name) for name in _COLUMNS]


def entry_count(user: Any, show: str = "active") -> int:
    """How many entries folder ``show`` of ``user`` holds (one query; cached until the inbox changes)."""
    user_id = getattr(user, "pk", user)

    def count() -> int:
        found = inbox_queryset(user_id, show).aggregate(
            alone=Count("pk", filter=Q(group_key="")),
            groups=Count("group_key", distinct=True, filter=~Q(group_key="")),
        )
        return int(found["alone"] or 0) + int(found["groups"] or 0)

    return cached(user_id, f"entries:{show}", count)


def entries_page(user: Any, show: str = "active", number: Any = 1, size: int = 20) -> Page[Any]:
    """A paginator page of ``user``'s entries (references attached): the page query and the
    entry count (cached until the inbox changes)."""
    total = entry_count(user, show)
    paginator = Paginator(range(total), size)
    page_number = paginator.get_page(number).number
    rows = entry_rows(user, show, size, (page_number - 1) * size) if total else []
    attach_references(rows)
    return Page(rows, page_number, paginator)


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
