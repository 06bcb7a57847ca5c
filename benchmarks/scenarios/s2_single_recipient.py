"""S2: one event to one in-site recipient, committed.

Engine: ``Post`` created in a transaction; on commit the fan-out writes the Event row, resolves
the recipient and writes one Notification. Reference: in one transaction, the Post insert and
one insert of a notification-like row (receivers disconnected).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from benchmarks.benchapp.models import NoteRow, Post
from benchmarks.harness import (
    Result,
    Settings,
    compare,
    count_queries,
    make_users,
    median_time,
    notify_on_post,
    receivers_disconnected,
    refresh_index,
)

NAME = "S2"
TITLE = "one event, one in-site recipient"
TARGET = "ratio ≤ 1.5, ≤ 4 queries"


def run(settings: Settings) -> list[Result]:
    from django_signal_notifier.models import Notification

    (user,) = make_users(1, "s2_")
    notify_on_post("InSiteMessenger", users=[user])

    def engine() -> None:
        with transaction.atomic():
            Post.objects.create(title="Hello", author=user)

    def note_for(post: Post) -> None:
        NoteRow.objects.create(
            recipient=user,
            verb="post_save",
            title=f"created post “{post}”",
            url=post.get_absolute_url(),
            created_at=timezone.now(),
        )

    def reference() -> None:
        with transaction.atomic():
            note_for(Post.objects.create(title="Hello", author=user))

    def after_commit_floor() -> None:
        """The pipeline's own floor: the notification row written after the object's commit, in
        a transaction of its own (as the fan-out does), by raw Django."""
        with transaction.atomic():
            post = Post.objects.create(title="Hello", author=user)
        with transaction.atomic():
            note_for(post)

    ops = settings.pick(20, 3)
    rounds = settings.pick(25, 3)
    before = Notification.objects.count()
    engine_s, reference_s, rounds = compare(
        engine, reference, rounds=rounds, ops=ops, reference_context=receivers_disconnected, budget=settings.pick(25, 5)
    )
    written = Notification.objects.count() - before
    with receivers_disconnected():
        floor_s = median_time(after_commit_floor, rounds=rounds, ops=ops, budget=settings.pick(10, 2))
    refresh_index()
    engine_q = count_queries(engine)
    with receivers_disconnected():
        reference_q = count_queries(reference)
    expected = 1 + rounds * ops  # one warm-up operation, then the timed ones
    if written != expected:
        raise AssertionError(f"S2 expected {expected} notifications, found {written}")
    result = Result(
        NAME,
        "1 recipient (InSiteMessenger)",
        TARGET,
        engine_s,
        reference_s,
        "Post insert + 1 notification-like insert, one transaction",
        engine_q,
        reference_q,
    )
    result.met = (result.ratio or 0.0) <= 1.5 and engine_q.work <= 4
    result.extra = {
        "rounds": rounds,
        "ops_per_round": ops,
        "after_commit_floor_s_per_op": floor_s,
        "ratio_to_after_commit_floor": engine_s / floor_s,
    }
    result.notes = (
        f"raw Django writing the row after the commit, in its own transaction: {floor_s * 1e6:.0f} µs "
        f"(engine {engine_s / floor_s:.2f}× that)"
    )
    return [result]
