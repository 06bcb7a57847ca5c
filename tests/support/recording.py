"""The tests' one recording messenger: it keeps what it sends, and fails on demand.

``RecordingMessenger`` is the only implementation. The channels the tests name (in Backend rows,
settings and assertions) are configurations of it, each a subclass that only sets attributes:

* where a send is recorded (``store``): ``"memory"`` — appended to the class's ``sent`` list, for
  in-process tests; ``"rows"`` — a ``SentRecord`` row (tests.testapp), which worker processes
  write and the test reads; ``"tables"`` — the reliability tables, where a second send of the same
  delivery lands in ``reliability_duplicate`` instead of hiding;
* the address (``address_attribute``): the user's username or email;
* failing on demand: the Backend's options (``fail_times``, ``permanent``, ``retry_after``) for the
  channels that declare them, and environment variables for worker processes — ``DSN_TEST_HANG_AT``
  / ``DSN_TEST_HANG_PHASE`` / ``DSN_TEST_PAUSE_AT`` / ``DSN_TEST_PAUSE_FILE`` (hang or pause at the
  N-th message this process handles) and ``DSN_REL_FAIL`` / ``DSN_REL_HANG`` / ``DSN_REL_HANGING`` /
  ``DSN_REL_HANG_AFTER`` / ``DSN_REL_DROP_AFTER_SEND`` (files whose existence makes sends fail, hang,
  or drop the worker's database connection after a send).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from django.db import IntegrityError, connection, transaction

from django_signal_notifier.delivery.retry import error_for_http_status
from django_signal_notifier.exceptions import PermanentDeliveryError, TransientDeliveryError
from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.registry import template_registry

HANG_LIMIT_SECONDS = 120.0  # a hanging worker is killed by the test long before this
SENT_TABLE = "reliability_sent"
DUPLICATE_TABLE = "reliability_duplicate"


@template_registry.register
class ArticleTitleTemplate(MessageTemplate):
    """Renders fields of the instance, so a message about a deleted article shows its title."""

    subject = "{{ verb }}: {{ instance.title }}"
    template_string = "Article “{{ instance.title }}” ({{ instance.body }}) for {{ recipient }}"


@messenger_registry.register
class RecordingMessenger(Messenger):
    """Records each send (see the module docstring); in memory, to the user's username, by default."""

    default_template = "DefaultMessageTemplate"
    store: ClassVar[str] = "memory"
    address_attribute: ClassVar[str] = "username"
    missing_address: ClassVar[str | None] = ""
    sent: ClassVar[list[Message]] = []
    attempts: ClassVar[Counter[int]] = Counter()  # attempts per delivery id (option ``fail_times``)
    handled: ClassVar[int] = 0  # messages this process handled (DSN_TEST_HANG_AT, DSN_TEST_PAUSE_AT)
    stored: ClassVar[int] = 0  # messages this process recorded (DSN_REL_HANG_AFTER)

    def get_address(self, user: Any) -> str | None:
        return getattr(user, self.address_attribute, None) or self.missing_address

    def send_message(self, message: Message) -> None:
        cls = type(self)
        cls.handled += 1
        self._checkpoint("before")
        self._fail_on_demand(message)
        if self.store == "memory":
            cls.sent.append(message)
        elif self.store == "rows":
            from tests.testapp.models import SentRecord

            SentRecord.objects.create(
                delivery_id=message.delivery_id, pid=os.getpid(), address=message.address, text=message.text
            )
        else:
            _insert_once(message)
        cls.stored += 1
        self._checkpoint("after")
        _drop_connection_on_demand()

    def _fail_on_demand(self, message: Message) -> None:
        fail = _hook("DSN_REL_FAIL")
        if fail is not None and fail.exists():
            raise TransientDeliveryError("the recording channel is down")
        if "fail_times" in self.option_names:
            assert message.delivery_id is not None
            type(self).attempts[message.delivery_id] += 1
            attempt = type(self).attempts[message.delivery_id]
            if self.options.get("permanent"):
                raise PermanentDeliveryError(f"no such mailbox: {message.address}")
            if attempt <= int(self.options.get("fail_times", 0)):
                if self.options.get("retry_after") is not None:
                    error = error_for_http_status(429, "slow down", str(self.options["retry_after"]))
                    assert error is not None
                    raise error
                raise error_for_http_status(503, f"unavailable (attempt {attempt})") or RuntimeError()
        hang = _hook("DSN_REL_HANG")
        if hang is not None and hang.exists() and type(self).stored >= int(os.environ.get("DSN_REL_HANG_AFTER", "0")):
            hanging = _hook("DSN_REL_HANGING")
            if hanging is not None:
                hanging.write_text(str(message.delivery_id))
            deadline = time.monotonic() + 60
            while hang.exists() and time.monotonic() < deadline:
                time.sleep(0.05)  # held here until the test kills this process

    def _checkpoint(self, phase: str) -> None:
        handled = type(self).handled
        if os.environ.get("DSN_TEST_HANG_PHASE", "before") == phase and str(handled) == os.environ.get(
            "DSN_TEST_HANG_AT"
        ):
            _wait_for(None, HANG_LIMIT_SECONDS)  # hang here until the test kills this worker
        if phase == "after" and str(handled) == os.environ.get("DSN_TEST_PAUSE_AT"):
            _wait_for(os.environ.get("DSN_TEST_PAUSE_FILE"), 60.0)


@messenger_registry.register
class EmailRecordingMessenger(RecordingMessenger):
    """In memory, to the user's email (preferences, i18n, unsubscribe and digest tests)."""

    label = "Recording"
    address_attribute = "email"
    missing_address = None
    sent: ClassVar[list[Message]] = []  # its own list, cleared by the prefs ``sent`` fixture


@messenger_registry.register
class DurableRecordingMessenger(RecordingMessenger):
    """A SentRecord row per message, failing as its Backend's options say (delivery and worker tests)."""

    name = "DurableRecordingMessenger"
    label = "Record sends (tests)"
    default_template = "ArticleTitleTemplate"
    option_names = ("fail_times", "permanent", "retry_after")
    store = "rows"
    missing_address = None
    attempts: ClassVar[Counter[int]] = Counter()
    handled: ClassVar[int] = 0

    def get_address(self, user: Any) -> str | None:
        return None if user is None else str(user.get_username())


@messenger_registry.register
class LoadRecordingMessenger(RecordingMessenger):
    """The reliability tables: each delivery id once, a second send kept as a duplicate (load and faults)."""

    store = "tables"
    missing_address = None


def _wait_for(path: str | None, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not (path and Path(path).exists()):
        time.sleep(0.02)


def _hook(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _insert_once(message: Message) -> None:
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


def _drop_connection_on_demand() -> None:
    drop = _hook("DSN_REL_DROP_AFTER_SEND")
    if drop is not None and drop.exists() and connection.vendor == "postgresql":
        drop.unlink()
        try:  # the message is out; now the worker's database connection dies under it
            cursor = connection.cursor()
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        except Exception:
            pass


def create_tables() -> None:
    """The reliability record tables, (re)created empty."""
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


def language_of(user: Any) -> str:
    """The tests' LANGUAGE_GETTER: Spanish for addresses at a .es domain."""
    return "es" if (user.email or "").endswith(".es") else "en"
