"""Database triggers that move the configuration stamp however the configuration is written.

``save()``, ``delete()`` and the package's querysets announce a change themselves, but a data
migration (historical models), ``_base_manager.update()``, a fixture or raw SQL do not. These
triggers make the database bump :class:`~django_signal_notifier.models.ConfigStamp` on every
insert, update and delete of a configuration table, in the writer's own transaction, so every
process sees the change at its next stamp read (at most ``CONFIG_CHECK_INTERVAL`` later).

PostgreSQL gets one statement-level trigger per table (one bump per statement), SQLite and
MariaDB/MySQL row-level triggers (configuration tables are small). They are created by migration
``0010`` and can be re-created with :func:`install` (e.g. after restoring a dump without triggers).
"""

from __future__ import annotations

from typing import Any

# Short names keep every trigger name within the 63 characters PostgreSQL allows.
CONFIG_TABLES = {
    "trigger": "django_signal_notifier_trigger",
    "subscription": "django_signal_notifier_subscription",
    "backend": "django_signal_notifier_backend",
    "template": "django_signal_notifier_storedtemplate",
    "sub_backends": "django_signal_notifier_subscription_backends",
    "sub_users": "django_signal_notifier_subscription_receiver_users",
    "sub_groups": "django_signal_notifier_subscription_receiver_groups",
}
STAMP_TABLE = "django_signal_notifier_configstamp"
PREFIX = "dsn_config_"
PG_FUNCTION = "dsn_config_changed"
ROW_EVENTS = ("INSERT", "UPDATE", "DELETE")


def trigger_names(vendor: str) -> list[str]:
    """The names of the triggers :func:`install` creates on ``vendor``."""
    if vendor == "postgresql":
        return [PREFIX + short for short in CONFIG_TABLES]
    return [f"{PREFIX}{short}_{event.lower()[:3]}" for short in CONFIG_TABLES for event in ROW_EVENTS]


def install_statements(vendor: str, quote: Any) -> list[str]:
    """The SQL that creates the triggers on ``vendor`` (``quote`` quotes a table name)."""
    stamp = quote(STAMP_TABLE)
    if vendor == "postgresql":
        statements = [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO {stamp} (id, version) VALUES (1, 1) "
            f"ON CONFLICT (id) DO UPDATE SET version = {stamp}.version + 1; RETURN NULL; END $$"
        ]
        for short, table in CONFIG_TABLES.items():
            statements.append(f"DROP TRIGGER IF EXISTS {PREFIX}{short} ON {quote(table)}")
            statements.append(
                f"CREATE TRIGGER {PREFIX}{short} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        return statements
    if vendor == "sqlite":
        bump = (
            f"INSERT OR IGNORE INTO {stamp} (id, version) VALUES (1, 0); "
            f"UPDATE {stamp} SET version = version + 1 WHERE id = 1;"
        )
        body = "FOR EACH ROW BEGIN " + bump + " END"
    elif vendor == "mysql":
        body = f"FOR EACH ROW INSERT INTO {stamp} (id, version) VALUES (1, 1) ON DUPLICATE KEY UPDATE version = version + 1"
    else:
        return []
    statements = []
    for short, table in CONFIG_TABLES.items():
        for event in ROW_EVENTS:
            name = f"{PREFIX}{short}_{event.lower()[:3]}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} {body}")
    return statements


def uninstall_statements(vendor: str, quote: Any) -> list[str]:
    """The SQL that drops what :func:`install_statements` created."""
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {PREFIX}{short} ON {quote(table)}" for short, table in CONFIG_TABLES.items()
        ] + [f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"]
    if vendor in ("sqlite", "mysql"):
        return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names(vendor)]
    return []


def install(connection: Any) -> bool:
    """Create the triggers on ``connection``; False on a database this module does not know."""
    statements = install_statements(connection.vendor, connection.ops.quote_name)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return bool(statements)


def uninstall(connection: Any) -> None:
    """Drop the triggers from ``connection``."""
    with connection.cursor() as cursor:
        for statement in uninstall_statements(connection.vendor, connection.ops.quote_name):
            cursor.execute(statement)


def installed(connection: Any) -> bool | None:
    """Whether every trigger exists on ``connection`` (None: a database this module does not know)."""
    vendor = connection.vendor
    names = set(trigger_names(vendor))
    if vendor == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s"
    elif vendor == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s"
    elif vendor == "mysql":
        query = "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name LIKE %s"
    else:
        return None
    with connection.cursor() as cursor:
        cursor.execute(query, ["dsn%"])
        found = {row[0] for row in cursor.fetchall()}
    return names <= found


def restore_after_migrate(connection: Any) -> bool:
    """Re-create triggers that a later migration dropped; True when it had to.

    SQLite alters a table by copying it into a new one, which loses the old table's triggers,
    so every migration that alters a configuration table after ``0010`` drops some of them.
    Nothing is done before ``0010`` is applied (or after it is unapplied), nor when they all exist.
    """
    if installed(connection) is not False or not _migration_applied(connection):
        return False
    uninstall(connection)
    install(connection)
    return True


def _migration_applied(connection: Any) -> bool:
    # The recorder's table, read directly: the models module must not import the migration machinery.
    if "django_migrations" not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM django_migrations WHERE app = %s AND name = %s",
            ["django_signal_notifier", "0010_config_triggers"],
        )
        return cursor.fetchone() is not None
