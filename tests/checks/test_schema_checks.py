"""The database checks tell the truth about the tables (W050-W052) and never swallow a read error (W053)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError

from django_signal_notifier.checks import configuration, schema
from django_signal_notifier.models import Trigger

pytestmark = pytest.mark.django_db


def test_a_migrated_database_has_nothing_to_report() -> None:
    assert schema.check_schema(databases=["default"]) == []
    assert schema.check_schema() == []  # a bare check reads nothing


def test_a_read_error_on_right_tables_is_reported_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("permission denied for table django_signal_notifier_trigger")

    monkeypatch.setattr(Trigger.objects, "using", broken)
    messages = configuration.check_stored_configuration(databases=["default"])
    assert [m.id for m in messages] == ["signal_notifier.W053"]
    assert "permission denied" in messages[0].msg


def test_missing_columns_and_tables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = schema._existing_columns

    def without_conditions(connection: Any, cursor: Any, table: str) -> set[str]:
        columns = real(connection, cursor, table)
        return columns - {"conditions"} if table == Trigger._meta.db_table else columns

    monkeypatch.setattr(schema, "_existing_columns", without_conditions)
    messages = schema.check_schema(databases=["default"])
    assert [m.id for m in messages] == ["signal_notifier.W051"]
    assert "django_signal_notifier_trigger has no column conditions" in messages[0].msg
