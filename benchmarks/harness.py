"""Measurement helpers shared by the scenarios: timing, query counts, memory, data reset."""

from __future__ import annotations

import gc
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Statements that only delimit transactions; "work" query counts leave them out.
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|END)\b", re.IGNORECASE)


@dataclass
class Settings:
    """How hard the run measures: the quick smoke mode shrinks every size and repeat count.

    ``audience`` and ``email_audience`` replace S7's sizes (in-site and e-mail recipients).
    """

    quick: bool
    vendor: str
    audience: int | None = None
    email_audience: int | None = None

    def pick(self, full: Any, quick: Any) -> Any:
        return quick if self.quick else full


@dataclass
class QueryCount:
    all: int
    work: int

    def as_dict(self) -> dict[str, int]:
        return {"all": self.all, "work": self.work}


@dataclass
class Result:
    """One line of the report: a scenario case on one database."""

    scenario: str
    case: str
    target: str
    engine_s: float | None = None
    reference_s: float | None = None
    reference: str = ""
    engine_queries: QueryCount | None = None
    reference_queries: QueryCount | None = None
    met: bool | None = None
    available: bool = True
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.engine_s is None or not self.reference_s:
            return None
        return self.engine_s / self.reference_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "case": self.case,
            "target": self.target,
            "available": self.available,
            "engine_s_per_op": self.engine_s,
            "reference": self.reference,
            "reference_s_per_op": self.reference_s,
            "ratio": self.ratio,
            "engine_queries_per_op": self.engine_queries.as_dict() if self.engine_queries else None,
            "reference_queries_per_op": self.reference_queries.as_dict() if self.reference_queries else None,
            "met": self.met,
            "notes": self.notes,
            "extra": self.extra,
        }


def count_queries(operation: Callable[[], Any], ops: int = 1, record: list[str] | None = None) -> QueryCount:
    """Statements per operation: all of them, and those that are not transaction control.

    ``record``, when given, receives the statements' SQL.
    """
    with CaptureQueriesContext(connection) as captured:
        for _ in range(ops):
            operation()
    statements = [q["sql"] for q in captured.captured_queries]
    if record is not None:
        record.extend(statements)
    work = [s for s in statements if not TRANSACTION_CONTROL.match(s)]
    return QueryCount(round(len(statements) / ops), round(len(work) / ops))


def time_per_op(operation: Callable[[], Any], ops: int) -> float:
    start = time.perf_counter()
    for _ in range(ops):
        operation()
    return (time.perf_counter() - start) / ops


def compare(
    engine: Callable[[], Any],
    reference: Callable[[], Any],
    *,
    rounds: int,
    ops: int = 1,
    warmup: int = 1,
    reference_context: Callable[[], Any] | None = None,
    budget: float | None = None,
    min_rounds: int = 3,
) -> tuple[float, float, int]:
    """Median seconds per operation of ``engine`` and ``reference``, and the rounds measured.

    Rounds alternate (and swap which side goes first) to spread the machine's noise over both
    sides. With ``budget`` (seconds), rounds stop once it is spent and ``min_rounds`` are done,
    so a loaded machine or a slow database cannot stretch the run without bound.
    """
    started = time.perf_counter()
    context = reference_context or _no_context
    for _ in range(warmup):
        engine()
        with context():
            reference()
    engine_times: list[float] = []
    reference_times: list[float] = []
    for index in range(rounds):
        gc.collect()
        if index % 2:
            with context():
                reference_times.append(time_per_op(reference, ops))
            engine_times.append(time_per_op(engine, ops))
        else:
            engine_times.append(time_per_op(engine, ops))
            with context():
                reference_times.append(time_per_op(reference, ops))
        if budget is not None and index + 1 >= min_rounds and time.perf_counter() - started > budget:
            break
    return statistics.median(engine_times), statistics.median(reference_times), len(engine_times)


def median_time(
    operation: Callable[[], Any], *, rounds: int, ops: int = 1, warmup: int = 1, budget: float | None = None
) -> float:
    """Median seconds per operation over ``rounds`` (fewer, but at least 3, once ``budget`` is spent)."""
    started = time.perf_counter()
    for _ in range(warmup):
        operation()
    times = []
    for index in range(rounds):
        gc.collect()
        times.append(time_per_op(operation, ops))
        if budget is not None and index >= 2 and time.perf_counter() - started > budget:
            break
    return statistics.median(times)


def peak_memory(operation: Callable[[], Any]) -> int:
    """Peak bytes allocated by Python while ``operation`` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        operation()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@contextmanager
def _no_context() -> Iterator[None]:
    yield


@contextmanager
def receivers_disconnected() -> Iterator[None]:
    """The package's signal receivers disconnected: the raw-Django reference."""
    from django_signal_notifier.intake import receivers

    receivers.disconnect_all()
    try:
        yield
    finally:
        receivers.connect_all()


def reset_data() -> None:
    """Empty the tables the scenarios write (content types and permissions stay)."""
    from django.apps import apps

    from django_signal_notifier.config.index import trigger_index

    tables: list[str] = []
    for label in ("django_signal_notifier", "benchapp", "auth"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.model_name in ("permission", "group_permissions"):
                continue
            tables.append(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in tables)))
        else:
            with connection.constraint_checks_disabled():
                for table in tables:
                    cursor.execute(f'DELETE FROM "{table}"')
    trigger_index.invalidate()


def make_users(count: int, prefix: str = "user") -> list[Any]:
    """``count`` active users with e-mail addresses, in one bulk insert."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    users = [
        user_model(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", is_active=True) for i in range(count)
    ]
    user_model._default_manager.bulk_create(users, batch_size=1000)
    return list(user_model._default_manager.filter(username__startswith=prefix).order_by("pk"))


def notify_on_post(messenger: str, *, users: Any = (), groups: Any = (), template: str = "") -> Any:
    """A post_save trigger on Post with one subscription to one backend; returns the subscription."""
    from django.contrib.contenttypes.models import ContentType

    from benchmarks.benchapp.models import Post
    from django_signal_notifier.models import Backend, Subscription, Trigger

    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Post)
    )
    backend = Backend.objects.create(messenger=messenger, message_template=template)
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(backend)
    if users:
        subscription.receiver_users.add(*users)
    if groups:
        subscription.receiver_groups.add(*groups)
    refresh_index()
    return subscription


def refresh_index() -> None:
    """Rebuild the trigger index now, so no measured operation pays for it."""
    from django_signal_notifier.config.index import trigger_index

    trigger_index.invalidate()
    trigger_index.refresh()
