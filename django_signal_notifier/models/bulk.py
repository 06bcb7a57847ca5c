"""Bulk inserts of rows that share most of their values, without a model instance per row.

``bulk_create`` builds and prepares one model instance per row and sends every column of every
row as a parameter: at 10,000 inbox rows that is most of the fan-out's time, on PostgreSQL
mostly the server parsing a VALUES list of 19 columns × 500 rows. A fan-out's rows differ in a
few columns (the recipient; content rendered once per language), so here the shared values are
prepared and sent once per statement, and only the varying ones travel per row::

    INSERT INTO t (a, b, c) SELECT %s, %s, v.column1 FROM (VALUES (%s), (%s), …) AS v

SQLite and PostgreSQL take this form. MariaDB names a VALUES list's columns after its first row's
values, so there the rows are named in a common table expression::

    INSERT INTO t (a, b, c) WITH v (column1) AS (VALUES (%s), (%s), …) SELECT %s, %s, v.column1 FROM v

Other databases (MySQL, whose VALUES rows are written ``ROW(…)``) get ``bulk_create``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, NamedTuple, TypeVar

from django.db import connections
from django.db.models import CharField, Field, Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

T = TypeVar("T")

_AUTO_KEYS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
# Whose str, int and None values the driver takes as they are (no conversion by the field).
_PLAIN_TYPES = frozenset(
    {"CharField", "TextField", "IntegerField", "BigIntegerField", "PositiveIntegerField", "SmallIntegerField"}
    | _AUTO_KEYS
)


class BulkInsert:
    """INSERTs into ``model`` on ``using``: ``shared`` values for every row, ``varying`` per row.

    A column named in neither gets its default (``auto_now`` fields: the time of the call).
    """

    def __init__(
        self, model: type[Model], using: str, shared: dict[str, Any], varying: Sequence[str], batch_size: int = 500
    ) -> None:
        self.model = model
        self.connection = connections[using]
        self.using = using
        self.shared = shared
        self.varying = tuple(varying)
        self.batch_size = max(1, batch_size)
        layout = _layout(model, using, _sql_form(self.connection), self.varying, frozenset(shared))
        self.fields = layout.fields
        self._select = layout.select
        self._varying_fields = layout.varying_fields
        self._plain = layout.plain
        self._head = layout.head
        self._tail = layout.tail
        self._shared_first = layout.shared_first
        now = timezone.now()
        self._shared_params: list[Any] = []
        for field, source, plain in layout.shared:
            if source == "shared":
                value = shared[field.attname]
            elif source == "now":
                value = now
            else:
                value = field.get_default()
            if plain and (value is None or type(value) in (int, str)):
                self._shared_params.append(value)
            else:
                self._shared_params.append(field.get_db_prep_save(value, connection=self.connection))
        # Rows rendered per language share their value objects: each object is prepared once.
        self._prepared: list[dict[int, tuple[Any, Any]]] = [{} for _ in self.varying]

    def _prepare(self, index: int, value: Any) -> Any:
        if value is None or type(value) in (int, str):
            if self._plain[index]:
                return value
            return self._varying_fields[index].get_db_prep_save(value, connection=self.connection)
        cache = self._prepared[index]
        hit = cache.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        prepared = self._varying_fields[index].get_db_prep_save(value, connection=self.connection)
        cache[id(value)] = (value, prepared)
        return prepared

    def rows_per_statement(self) -> int:
        """How many rows one INSERT carries: the batch size, or fewer within the parameter limit."""
        self.connection.ensure_connection()
        limit = _parameter_limit(self.connection)
        if not limit:
            return self.batch_size
        return max(1, min(self.batch_size, (limit - len(self._shared_params)) // len(self.varying)))

    def insert(self, rows: Iterable[Sequence[Any]], returning: bool = False) -> list[Any]:
        """Insert ``rows`` (values of ``varying``, in order).

        Returns the new primary keys (in no particular order) when ``returning`` and the
        database can return them, else an empty list.
        """
        if _sql_form(self.connection) is None:
            return self._insert_with_orm(rows, returning)
        ops, features = self.connection.ops, self.connection.features
        width = len(self.varying)
        per_batch = self.rows_per_statement()
        head = self._head
        suffix = self._tail
        if returning and features.can_return_rows_from_bulk_insert:
            suffix += " RETURNING " + ops.quote_name(str(self.model._meta.pk.column))
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        # The shared values' placeholders stand before the rows' (SELECT … FROM (VALUES …)) or after
        # them (WITH v AS (VALUES …) SELECT …).
        leading = self._shared_params if self._shared_first else []
        trailing = [] if self._shared_first else self._shared_params
        statements: dict[int, str] = {}
        pks: list[Any] = []
        with self.connection.cursor() as cursor:
            batch: list[Any] = list(leading)
            count = 0
            for row in rows:
                for index, value in enumerate(row):
                    batch.append(self._prepare(index, value))
                count += 1
                if count == per_batch:
                    batch.extend(trailing)
                    pks.extend(self._execute(cursor, statements, head, row_sql, suffix, count, batch))
                    batch, count = list(leading), 0
            if count:
                batch.extend(trailing)
                pks.extend(self._execute(cursor, statements, head, row_sql, suffix, count, batch))
        return pks

    @staticmethod
    def _execute(
        cursor: Any, statements: dict[int, str], head: str, row_sql: str, suffix: str, count: int, params: list[Any]
    ) -> list[Any]:
        sql = statements.get(count)
        if sql is None:
            sql = statements[count] = head + ", ".join([row_sql] * count) + suffix
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()] if "RETURNING" in suffix else []

    def _insert_with_orm(self, rows: Iterable[Sequence[Any]], returning: bool) -> list[Any]:
        objects = [self.model(**self.shared, **dict(zip(self.varying, row, strict=True))) for row in rows]
        created = self.model._default_manager.using(self.using).bulk_create(objects, batch_size=self.batch_size)
        return [obj.pk for obj in created if obj.pk is not None] if returning else []


def insert_one(instance: Model, using: str) -> None:
    """INSERT one new model instance and set its primary key, without ``save()``'s machinery.

    For the package's own rows, written once per event. Where the database cannot return the
    new key from this form, or a receiver listens to the model's save signals,
    ``save(force_insert=True)`` is used.
    """
    connection = connections[using]
    model = type(instance)
    if (
        _sql_form(connection) is None
        or not connection.features.can_return_rows_from_bulk_insert
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)  # a project listens to these rows: save() sends the signals
    ):
        instance.save(force_insert=True, using=using)
        return
    values = {
        field.attname: field.pre_save(instance, add=True)
        for field in instance._meta.concrete_fields
        if not (field.primary_key and field.get_internal_type() in _AUTO_KEYS)
    }
    first = next(iter(values))
    shared = {name: value for name, value in values.items() if name != first}
    (pk,) = BulkInsert(model, using, shared, (first,)).insert([(values[first],)], returning=True)
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using


class _Layout(NamedTuple):
    fields: list[Field[Any, Any]]
    select: list[str]  # per column: "%s" (a shared value) or the VALUES column
    varying_fields: list[Field[Any, Any]]
    plain: list[bool]  # per varying column: str, int and None values reach the driver unchanged
    shared: list[tuple[Field[Any, Any], str, bool]]  # per "%s": the field, its value's source, plain?
    head: str  # the INSERT up to the VALUES rows
    tail: str  # what follows the VALUES rows
    shared_first: bool  # whether the shared values' placeholders come before the rows'


@functools.lru_cache(maxsize=256)
def _layout(model: type[Model], alias: str, form: str, varying: tuple[str, ...], shared: frozenset[str]) -> _Layout:
    opts = model._meta
    fields: list[Field[Any, Any]] = [
        f for f in opts.concrete_fields if not (f.primary_key and f.get_internal_type() in _AUTO_KEYS)
    ]
    by_name = {f.attname: f for f in fields}
    unknown = [name for name in (*shared, *varying) if name not in by_name]
    if unknown or not varying:
        raise ValueError(f"{opts.label}: unknown column(s) {', '.join(unknown)}" if unknown else "no varying column")
    connection = connections[alias]
    select: list[str] = []
    sources: list[tuple[Field[Any, Any], str, bool]] = []
    for field in fields:
        if field.attname in varying:
            column = f"v.column{varying.index(field.attname) + 1}"
            if form == "postgresql":  # a VALUES column of NULLs alone would be typed text
                column = f"CAST({column} AS {_cast_type(field, connection)})"
            select.append(column)
            continue
        select.append("%s")
        if field.attname in shared:
            source = "shared"
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            source = "now"
        else:
            source = "default"
        sources.append((field, source, _is_plain(field)))
    varying_fields = [by_name[name] for name in varying]
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
    plain = [_is_plain(f) for f in varying_fields]
    if form == "mariadb":
        names = ", ".join(f"column{index + 1}" for index in range(len(varying)))
        head, tail = f"{insert}WITH v ({names}) AS (VALUES ", f") SELECT {', '.join(select)} FROM v"
        return _Layout(fields, select, varying_fields, plain, sources, head, tail, shared_first=False)
    head = f"{insert}SELECT {', '.join(select)} FROM (VALUES "
    return _Layout(fields, select, varying_fields, plain, sources, head, ") AS v", shared_first=True)


def _sql_form(connection: Any) -> str | None:
    """Which form of the shared-values INSERT ``connection`` takes; None: ``bulk_create``."""
    if connection.vendor in ("sqlite", "postgresql"):
        return str(connection.vendor)
    if connection.vendor == "mysql" and connection.mysql_is_mariadb:
        return "mariadb"
    return None


def _cast_type(field: Field[Any, Any], connection: Any) -> str:
    """The type to cast a VALUES column to; strings without their length, so that an over-long
    value fails in the column as it would with ``bulk_create`` instead of being cut short."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    if isinstance(target, CharField):
        return str(connection.ops.cast_char_field_without_max_length)
    return str(target.cast_db_type(connection))


def _is_plain(field: Field[Any, Any]) -> bool:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    return target.get_internal_type() in _PLAIN_TYPES


def _parameter_limit(connection: Any) -> int | None:
    """How many parameters one statement may carry (None: no practical limit)."""
    if connection.vendor == "sqlite":
        import sqlite3

        getlimit = getattr(connection.connection, "getlimit", None)  # Python >= 3.11
        if getlimit is not None:
            return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    if connection.vendor == "postgresql":
        return 65535  # the protocol's limit, reached only with server-side binding and huge batches
    limit = connection.features.max_query_params
    return int(limit) if limit else None


def batched(items: Sequence[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, max(1, size))):
        yield chunk
