"""S3: one event to 1,000 and to 10,000 in-site recipients (members of one group), committed.

Engine: ``Post`` created in a transaction; on commit the fan-out writes N Notification rows in
fixed-size batches, chunk by chunk (``FANOUT_CHUNK_SIZE``, each chunk its own transaction; with
the default immediate backend every chunk runs in the request). Reference: in one transaction, the Post insert and ``bulk_create`` of N rows
of a 6-column table (receivers disconnected). Peak Python memory is measured with tracemalloc in
a separate, untimed operation.
"""

from __future__ import annotations

import math

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from benchmarks.benchapp.models import NoteRow, Post
from benchmarks.harness import (
    Result,
    Settings,
    compare,
    count_queries,
    make_users,
    notify_on_post,
    peak_memory,
    receivers_disconnected,
    refresh_index,
)

NAME = "S3"
TITLE = "one event, N in-site recipients (group)"
TARGET = "ratio ≤ 1.3; queries constant but for fixed-size batches and chunks; memory bounded"


def run(settings: Settings) -> list[Result]:
    from django_signal_notifier.conf import app_settings
    from django_signal_notifier.models import Notification

    sizes = settings.pick([1_000, 10_000], [100, 300])
    users = make_users(max(sizes), "s3_")
    group = Group.objects.create(name="s3-fans")
    notify_on_post("InSiteMessenger", groups=[group])
    results = []
    table = Notification._meta.db_table
    for size in sizes:
        members = users[:size]
        group.user_set.set(members)

        def engine() -> None:
            with transaction.atomic():
                Post.objects.create(title="Hello")

        def reference(members: list = members) -> None:
            now = timezone.now()
            with transaction.atomic():
                post = Post.objects.create(title="Hello")
                title = f"created post “{post}”"
                url = post.get_absolute_url()
                NoteRow.objects.bulk_create(
                    [
                        NoteRow(recipient_id=u.pk, verb="post_save", title=title, url=url, created_at=now)
                        for u in members
                    ]
                )

        rounds = settings.pick(7 if size <= 1_000 else 5, 2)
        before = Notification.objects.count()
        engine_s, reference_s, rounds = compare(
            engine, reference, rounds=rounds, reference_context=receivers_disconnected, budget=settings.pick(30, 5)
        )
        written = Notification.objects.count() - before
        if written != size * (rounds + 1):
            raise AssertionError(f"S3 expected {size * (rounds + 1)} notifications, found {written}")
        refresh_index()
        statements: list[str] = []
        engine_q = count_queries(engine, record=statements)
        inserts = sum(1 for sql in statements if sql.lstrip().upper().startswith(f'INSERT INTO "{table}"'.upper()))
        with receivers_disconnected():
            reference_q = count_queries(reference)
            reference_peak = peak_memory(reference)
        refresh_index()
        engine_peak = peak_memory(engine)
        result = Result(
            NAME,
            f"{size:,} recipients",
            TARGET,
            engine_s,
            reference_s,
            "Post insert + bulk_create of N 6-column rows",
            engine_q,
            reference_q,
        )
        result.extra = {
            "recipients": size,
            "rounds": rounds,
            "batch_size": int(app_settings.BATCH_SIZE),
            "chunk_size": int(app_settings.FANOUT_CHUNK_SIZE),
            "notification_insert_statements": inserts,
            "queries_besides_inserts": engine_q.work - inserts,
            "engine_peak_memory_kib": engine_peak // 1024,
            "reference_peak_memory_kib": reference_peak // 1024,
        }
        result.met = (result.ratio or 0.0) <= 1.3
        results.append(result)
    _check_constant_queries(results, int(app_settings.FANOUT_CHUNK_SIZE))
    return results


def _check_constant_queries(results: list[Result], chunk_size: int) -> None:
    """Statements may grow with N only by fixed-size insert batches and fan-out chunks (each chunk
    is its own transaction): besides the inserts, a chunk never needs more statements than the
    smallest audience's event did per chunk."""
    for result in results:
        result.extra["fan_out_chunks"] = math.ceil(result.extra["recipients"] / chunk_size)
    smallest = min(results, key=lambda result: result.extra["recipients"])
    per_chunk = smallest.extra["queries_besides_inserts"] / smallest.extra["fan_out_chunks"]
    for result in results:
        constant = result.extra["queries_besides_inserts"] <= per_chunk * result.extra["fan_out_chunks"]
        result.extra["constant_besides_batches"] = constant
        result.met = bool(result.met) and constant
