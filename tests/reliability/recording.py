"""A channel that records every send durably, so lost and duplicated deliveries can be counted.

Each send inserts the delivery id into ``reliability_sent`` (unique on the id) in its own
transaction; a second send of the same delivery cannot hide: it lands in
``reliability_duplicate``. Hooks for fault injection are files named by environment variables.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction

from django_signal_notifier.exceptions import TransientDeliveryError
from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.registry import messenger_registry

SENT_TABLE = "reliability_sent"
DUPLICATE_TABLE = "reliability_duplicate"


def create_tables() -> None:
    """The record tables, (re)created empty."""
    with connection.cursor() as cursor:
        for table in (SENT_TABLE, DUPLICATE_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {SENT_TABLE} (delivery_id BIGINT PRIMARY KEY, pid INTEGER NOT NULL)")
        cursor.execute(f"CREATE TABLE {DUPLICATE_TABLE} (delivery_id BIGINT NOT NULL, pid INTEGER NOT NULL)")


def drop_tables() -> None:
    with connection.cursor() as cursor:
        for table in (SENT_TABLE, DUPLICATE_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def sent_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT delivery_id FROM {SENT_TABLE}")
        return {int(row[0]) for row in cursor.fetchall()}


def duplicate_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {DUPLICATE_TABLE}")
        return int(cursor.fetchone()[0])


_sends = 0  # messages this process sent


def _hook(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


@messenger_registry.register
class LoadRecordingMessenger(Messenger):
    """Writes each send to the database; a duplicate is recorded, never swallowed.

    Fault hooks (environment variables naming files): ``DSN_REL_HANG`` — while that file exists,
    a send writes the delivery id to ``DSN_REL_HANGING`` and waits before sending (a worker
    killed there has claimed its batch and sent part of it); ``DSN_REL_FAIL`` — while that file
    exists, sends fail transiently (the channel is down); ``DSN_REL_HANG_AFTER`` lets that many
    messages go first; ``DSN_REL_DROP_AFTER_SEND`` — once, after a send, the worker's own database
    connection is terminated (PostgreSQL).
    """

    default_template = "DefaultMessageTemplate"

    def get_address(self, user: Any) -> str | None:
        return getattr(user, "username", None) or None

    def send_message(self, message: Message) -> None:
        fail = _hook("DSN_REL_FAIL")
        if fail is not None and fail.exists():
            raise TransientDeliveryError("the recording channel is down")
        hang = _hook("DSN_REL_HANG")
        global _sends
        if hang is not None and hang.exists() and _sends >= int(os.environ.get("DSN_REL_HANG_AFTER", "0")):
            hanging = _hook("DSN_REL_HANGING")
            if hanging is not None:
                hanging.write_text(str(message.delivery_id))
            deadline = time.monotonic() + 60
            while hang.exists() and time.monotonic() < deadline:
                time.sleep(0.05)  # held here until the test kills this process
        pid = os.getpid()
        with connection.cursor() as cursor:
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"INSERT INTO {SENT_TABLE} (delivery_id, pid) VALUES (%s, %s)", [message.delivery_id, pid]
                    )
            except IntegrityError:
                cursor.execute(
                    f"INSERT INTO {DUPLICATE_TABLE} (delivery_id, pid) VALUES (%s, %s)", [message.delivery_id, pid]
                )
        _sends += 1
        drop = _hook("DSN_REL_DROP_AFTER_SEND")
        if drop is not None and drop.exists() and connection.vendor == "postgresql":
            drop.unlink()
            try:  # the message is out; now the worker's database connection dies under it
                cursor = connection.cursor()
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            except Exception:
                pass
