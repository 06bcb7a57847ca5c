"""System check of the database's tables: are they the ones the models expect (or 0.2.1's)?

Registered under ``Tags.database`` like every check that reads the database, so it runs with
``manage.py check --database default`` and at the start of ``migrate``, and reports Warnings
(``migrate`` itself is the fix, so nothing may stop it). A database where none of the package's
tables exist yet is not reported: ``migrate`` creates them, as for any app.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, connections, router

from django_signal_notifier.models import Trigger, config_triggers

APP = "django_signal_notifier"
# Tables only django-signal-notifier 0.2.1 had; migrate moves their rows and drops them.
LEGACY_TABLES = (f"{APP}_dsn_profile",)
FIX = "Run `python manage.py migrate`: it converts a 0.2.1 database in place (see the Upgrading page)."


def schema_problems(alias: str) -> list[CheckMessage]:
    """What is wrong with the package's tables in the database ``alias``, as Warnings."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
            models = [m for m in apps.get_app_config(APP).get_models() if router.allow_migrate_model(alias, m)]
            present = [m for m in models if m._meta.db_table in tables]
            if not present:
                return []
            missing_tables = sorted(m._meta.db_table for m in models if m._meta.db_table not in tables)
            missing_columns = {
                m._meta.db_table: sorted(_columns(m) - _existing_columns(connection, cursor, m._meta.db_table))
                for m in present
            }
    except DatabaseError as error:
        return [
            Warning(
                f"django_signal_notifier could not read the tables of the database {alias!r}: {error}",
                hint="Check the database settings and that the database is reachable.",
                id="signal_notifier.W052",
            )
        ]
    behind = [f"{table} has no column {', '.join(columns)}" for table, columns in missing_columns.items() if columns]
    behind += [f"no table {table}" for table in missing_tables]
    legacy = sorted(table for table in LEGACY_TABLES if table in tables)
    if legacy or _is_legacy_trigger_table(missing_columns):
        return [
            Warning(
                f"The database {alias!r} holds django-signal-notifier 0.2.1's tables, not migrated yet "
                f"({len(missing_tables)} of the package's tables missing, "
                f"{sum(1 for columns in missing_columns.values() if columns)} of another shape). "
                "Triggers, backends and subscriptions cannot be read and no notification is sent.",
                hint=FIX,
                id="signal_notifier.W050",
            )
        ]
    if behind:
        return [
            Warning(
                f"The tables of django_signal_notifier in the database {alias!r} are behind its models "
                f"({'; '.join(behind)}).",
                hint="Run `python manage.py migrate`.",
                id="signal_notifier.W051",
            )
        ]
    if not missing_tables and _stamp_triggers_missing(connection):
        return [
            Warning(
                f"The database {alias!r} lacks django_signal_notifier's configuration triggers: a change made "
                "without save() (a data migration, raw SQL, a restored dump) does not reach running processes.",
                hint="Run `python manage.py migrate`, or call "
                "django_signal_notifier.models.config_triggers.install(connection) after restoring a dump.",
                id="signal_notifier.W054",
            )
        ]
    return []


def _stamp_triggers_missing(connection: Any) -> bool:
    try:
        return config_triggers.installed(connection) is False
    except DatabaseError:
        return False


def _columns(model: Any) -> set[str]:
    return {field.column for field in model._meta.local_concrete_fields}


def _existing_columns(connection: Any, cursor: Any, table: str) -> set[str]:
    return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def _is_legacy_trigger_table(missing_columns: dict[str, list[str]]) -> bool:
    # 0.2.1's trigger table has neither `key` nor `conditions`; no release of this package lacks them.
    return {"key", "conditions"} <= set(missing_columns.get(Trigger._meta.db_table, ()))


@register(Tags.database)
def check_schema(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The package's tables against its models, in each database the check is asked about."""
    alias, databases = router.db_for_read(Trigger), kwargs.get("databases")
    if not databases or alias not in databases:
        return []
    return schema_problems(alias)
