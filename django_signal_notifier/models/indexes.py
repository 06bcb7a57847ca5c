"""An index of some rows only, and what stands in for it where the database cannot do that."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Q


class PartialIndex(models.Index):
    """An index of the rows that match ``where`` on databases with partial indexes (PostgreSQL,
    SQLite); elsewhere (MySQL, MariaDB) a full index on ``fallback_fields``.

    Django would create a conditional ``Index`` there without its condition, an index that the
    queries filtering on the condition's columns can only partly use. The fallback names those
    columns as key parts instead, placed where the queries' equality filters come before the
    ordering, so that the same queries read the same entries in order; the index is only larger.
    """

    def __init__(self, *, fields: Sequence[str], where: Q, fallback_fields: Sequence[str], name: str) -> None:
        super().__init__(fields=fields, name=name)
        self.where = where
        self.fallback_fields = list(fallback_fields)

    def for_connection(self, connection: Any) -> models.Index:
        """The plain Django index this one is on ``connection``."""
        if connection.features.supports_partial_indexes:
            return models.Index(fields=self.fields, condition=self.where, name=self.name)
        return models.Index(fields=self.fallback_fields, name=self.name)

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        return self.for_connection(schema_editor.connection).create_sql(model, schema_editor, using, **kwargs)

    def deconstruct(self) -> Any:
        path, args, kwargs = super().deconstruct()
        kwargs.update(where=self.where, fallback_fields=self.fallback_fields)
        return path, args, kwargs
