"""Bulk inserts of rows that share most of their values, without a model instance per row.

``bulk_create`` builds and prepares one model instance per row and sends every column of every
row as a parameter: at 10,000 inbox rows that is most of the fan-out's time, on PostgreSQL
mostly the server parsing a VALUES list of 19 columns × 500 rows. A fan-out's rows differ in a
few columns (the recipient; content rendered once per language), so here the shared values are
prepared and sent once per statement, and only the varying ones travel per row::

    INSERT INTO t (a, b, c) SELECT %s, %s, v.column1 FROM (VALUES (%s), (%s), …) AS v

SQLite and PostgreSQL take this form; other databases get ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Field, Model
from django.utils import timezone

RAW_VENDORS = frozenset({"sqlite", "postgresql"})
_AUTO_KEYS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})


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
        opts = model._meta
        self.fields: list[Field[Any, Any]] = [
            f for f in opts.concrete_fields if not (f.primary_key and f.get_internal_type() in _AUTO_KEYS)
        ]
        by_name = {f.attname: f for f in self.fields}
        unknown = [name for name in (*shared, *self.varying) if name not in by_name]
        if unknown or not self.varying:
            raise ValueError(
                f"{opts.label}: unknown column(s) {', '.join(unknown)}" if unknown else "no varying column"
            )
        self._varying_fields = [by_name[name] for name in self.varying]
        now = timezone.now()
        self._shared_params: list[Any] = []
        self._select: list[str] = []
        vendor = self.connection.vendor
        for field in self.fields:
            if field.attname in self.varying:
                column = f"v.column{self.varying.index(field.attname) + 1}"
                if vendor == "postgresql":  # a VALUES column of NULLs alone would be typed text
                    column = f"CAST({column} AS {field.cast_db_type(self.connection)})"
                self._select.append(column)
                continue
            if field.attname in shared:
                value = shared[field.attname]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            self._select.append("%s")
            self._shared_params.append(field.get_db_prep_save(value, connection=self.connection))
        # Rows rendered per language share their value objects: each object is prepared once.
        self._prepared: list[dict[int, tuple[Any, Any]]] = [{} for _ in self.varying]

    def _prepare(self, index: int, value: Any) -> Any:
        if (
            value is None
            or type(value) in (int, str)
            and self._varying_fields[index].get_internal_type() != "JSONField"
        ):
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
        if self.connection.vendor not in RAW_VENDORS:
            return self._insert_with_orm(rows, returning)
        ops, features = self.connection.ops, self.connection.features
        width = len(self.varying)
        per_batch = self.rows_per_statement()
        head = (
            f"INSERT INTO {ops.quote_name(self.model._meta.db_table)} "
            f"({', '.join(ops.quote_name(str(f.column)) for f in self.fields)}) "
            f"SELECT {', '.join(self._select)} FROM (VALUES "
        )
        suffix = ") AS v"
        if returning and features.can_return_rows_from_bulk_insert:
            suffix += " RETURNING " + ops.quote_name(str(self.model._meta.pk.column))
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        statements: dict[int, str] = {}
        pks: list[Any] = []
        with self.connection.cursor() as cursor:
            batch: list[Any] = list(self._shared_params)
            count = 0
            for row in rows:
                for index, value in enumerate(row):
                    batch.append(self._prepare(index, value))
                count += 1
                if count == per_batch:
                    pks.extend(self._execute(cursor, statements, head, row_sql, suffix, count, batch))
                    batch, count = list(self._shared_params), 0
            if count:
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


def _parameter_limit(connection: Any) -> int | None:
    """How many parameters one statement may carry (None: no practical limit)."""
    if connection.vendor == "sqlite":
        import sqlite3

        getlimit = getattr(connection.connection, "getlimit", None)  # Python >= 3.11
        if getlimit is not None:
            return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    limit = connection.features.max_query_params
    return int(limit) if limit else None
