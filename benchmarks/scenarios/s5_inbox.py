"""S5: the inbox of a user with 100, 1,000 and 10,000 notifications.

One operation: the unread count, the newest 20 notifications, their action objects (one query
per content type on the page, here one) and a template render of the 20 rows. Measured through
the Notification queryset API. The reference is the same operation at 100 notifications: the
ratio shows whether the time stays flat as the inbox grows.

Grouped: the same inbox of 10,000 notifications in groups of 4 (2,500 entries, as four saves of
one article by different users make), shown as entries: the unread entry count, the newest 20
entries (each group's newest row, its size, unread count and first actors) and their objects.
Its reference is the ungrouped page of the same inbox, plain Django ORM, timed in the same rounds.
"""

from __future__ import annotations

import gc
import statistics
import time
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from benchmarks.benchapp.models import Post
from benchmarks.harness import Result, Settings, count_queries, make_users, time_per_op
from benchmarks.inbox import PAGE, grouped_inbox_page, inbox_page

NAME = "S5"
TITLE = "inbox page (unread count + newest 20, rendered)"
TARGET = "≤ 3 queries; time flat from 100 to 10,000"
FLAT = 1.3  # "flat": at most this many times the time at 100 notifications
GROUPED_TARGET = "≤ 3 queries; ≤ 1.2× the ungrouped page"
GROUPED = 1.2
GROUP_SIZE = 4


def fill_inbox(user: Any, count: int, posts: list[Post]) -> None:
    from django_signal_notifier.models import Notification

    post_ct = ContentType.objects.get_for_model(Post)
    start = timezone.now() - timedelta(days=30)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                verb="post_save",
                action_object_content_type=post_ct,
                action_object_id=str(posts[i % len(posts)].pk),
                action_object_text=str(posts[i % len(posts)]),
                title=f"user{i % 7} created post “{posts[i % len(posts)]}”",
                actor_text=f"user{i % 7}",
                group_key=f"verb_object|post_save|{i // GROUP_SIZE}",
                url=posts[i % len(posts)].get_absolute_url(),
                unread=i % 3 == 0,
                created_at=start + timedelta(seconds=i),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def run(settings: Settings) -> list[Result]:
    from django_signal_notifier.models import Notification

    sizes = settings.pick([100, 1_000, 10_000], [100, 1_000])
    users = make_users(len(sizes), "s5_")
    Post.objects.bulk_create([Post(title=f"Post {i}") for i in range(50)])
    posts = list(Post.objects.order_by("pk")[:50])
    for user, size in zip(users, sizes, strict=True):
        fill_inbox(user, size, posts)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load (PostgreSQL 13+ vacuums after inserts): the
        # visibility map lets the unread count read the index alone, as on a running site; left
        # to autovacuum, it would land in the middle of some measurements and not others.
        with connection.cursor() as cursor:
            cursor.execute(f'VACUUM (ANALYZE) "{Notification._meta.db_table}"')
    ContentType.objects.get_for_model(Post)  # warm the content-type cache, as a running site has
    rounds = settings.pick(15, 3)
    ops = settings.pick(20, 3)
    # Rounds go through every size in turn (after one warm-up page each), so that the machine's
    # noise and warm-up fall on all sizes alike rather than on whichever is measured first.
    for user in users:
        inbox_page(user)
    samples: dict[int, list[float]] = {size: [] for size in sizes}
    budget, started = settings.pick(24, 4), time.perf_counter()
    for index in range(rounds):
        gc.collect()
        for user, size in zip(users, sizes, strict=True):
            samples[size].append(time_per_op(lambda u=user: inbox_page(u), ops))
        if index >= 2 and time.perf_counter() - started > budget:
            break
    timings = {size: statistics.median(values) for size, values in samples.items()}
    baseline = timings[sizes[0]]
    baseline_q = count_queries(lambda: inbox_page(users[0]))
    results = []
    for user, size in zip(users, sizes, strict=True):
        queries = count_queries(lambda u=user: inbox_page(u))
        html = inbox_page(user)
        if html.count("<li") != PAGE:
            raise AssertionError(f"S5 rendered {html.count('<li')} rows, expected {PAGE}")
        result = Result(
            NAME,
            f"{size:,} notifications",
            TARGET,
            timings[size],
            baseline,
            f"the same page at {sizes[0]:,} notifications",
            queries,
            baseline_q,
        )
        result.met = queries.work <= 3 and (result.ratio or 0.0) <= FLAT
        result.extra = {"notifications": size, "page": PAGE}
        results.append(result)
    results.append(_grouped(settings, users[-1], sizes[-1]))
    return results


def _grouped(settings: Settings, user: Any, size: int) -> Result:
    """The grouped page against the ungrouped page of the same inbox, in alternating rounds."""
    grouped_inbox_page(user)
    grouped: list[float] = []
    plain: list[float] = []
    rounds, ops = settings.pick(15, 3), settings.pick(20, 3)
    budget, started = settings.pick(24, 4), time.perf_counter()
    for index in range(rounds):
        gc.collect()
        pair = [(grouped, grouped_inbox_page), (plain, inbox_page)]
        for samples, operation in pair if index % 2 == 0 else reversed(pair):
            samples.append(time_per_op(lambda op=operation: op(user), ops))
        if index >= 2 and time.perf_counter() - started > budget:
            break
    queries = count_queries(lambda: grouped_inbox_page(user))
    plain_queries = count_queries(lambda: inbox_page(user))
    html = grouped_inbox_page(user)
    if html.count("<li") != PAGE or f"({GROUP_SIZE})" not in html:
        raise AssertionError(f"S5 grouped rendered {html.count('<li')} entries, expected {PAGE} groups")
    result = Result(
        NAME,
        f"{size:,} notifications, grouped: 20 of {size // GROUP_SIZE:,} entries",
        GROUPED_TARGET,
        statistics.median(grouped),
        statistics.median(plain),
        f"the ungrouped page of the same {size:,}",
        queries,
        plain_queries,
    )
    result.met = queries.work <= 3 and (result.ratio or 0.0) <= GROUPED
    result.extra = {"notifications": size, "page": PAGE, "entries": size // GROUP_SIZE}
    return result
