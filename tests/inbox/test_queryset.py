"""The Notification queryset API: filters, one-UPDATE writes, counts, cache invalidation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.inbox.queries import unread_count
from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db


def test_filters_split_the_inbox(alice: Any) -> None:
    rows = make_notifications(alice, 4)
    Notification.objects.filter(pk=rows[0].pk).update(unread=False)
    Notification.objects.filter(pk=rows[1].pk).update(archived=True)
    mine = Notification.objects.for_user(alice)
    assert set(mine.unread().values_list("pk", flat=True)) == {rows[1].pk, rows[2].pk, rows[3].pk}
    assert list(mine.read().values_list("pk", flat=True)) == [rows[0].pk]
    assert set(mine.active().values_list("pk", flat=True)) == {rows[0].pk, rows[2].pk, rows[3].pk}
    assert list(mine.archived().values_list("pk", flat=True)) == [rows[1].pk]
    # The badge counts what the inbox shows: active and unread.
    assert Notification.objects.unread_count(alice) == 2


def test_mark_all_as_read_is_one_update_and_touches_only_that_user(alice: Any, bob: Any) -> None:
    make_notifications(alice, 5)
    make_notifications(bob, 3)
    with CaptureQueriesContext(connection) as queries:
        changed = Notification.objects.mark_all_as_read(alice)
    assert changed == 5
    assert len(queries) == 1
    assert queries[0]["sql"].upper().startswith("UPDATE")
    assert Notification.objects.unread_count(alice) == 0
    assert Notification.objects.unread_count(bob) == 3


def test_writes_on_a_queryset_limited_to_a_user(alice: Any, bob: Any) -> None:
    alice_rows = make_notifications(alice, 2)
    bob_rows = make_notifications(bob, 2)
    ids = [alice_rows[0].pk, bob_rows[0].pk]
    assert Notification.objects.filter(pk__in=ids).mark_as_read(user=alice) == 1
    assert Notification.objects.get(pk=bob_rows[0].pk).unread is True
    assert Notification.objects.filter(pk__in=ids).archive(user=alice) == 1
    assert Notification.objects.get(pk=bob_rows[0].pk).archived is False
    assert Notification.objects.filter(pk__in=ids).unarchive(alice) == 1
    assert Notification.objects.filter(pk__in=ids).mark_as_unread(alice) == 1
    assert Notification.objects.get(pk=alice_rows[0].pk).unread is True
    # Already in the requested state: nothing to change.
    assert Notification.objects.filter(pk=alice_rows[0].pk).mark_as_unread(alice) == 0


def test_cached_count_follows_every_write(alice: Any, bob: Any) -> None:
    rows = make_notifications(alice, 3)
    make_notifications(bob, 2)
    assert unread_count(alice) == 3
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(alice) == 3
    assert len(queries) == 0  # served from the per-user cache

    rows[0].mark_as_read()
    assert unread_count(alice) == 2
    Notification.objects.filter(pk=rows[1].pk).archive(alice)
    assert unread_count(alice) == 1
    Notification.objects.mark_all_as_read(alice)
    assert unread_count(alice) == 0
    assert unread_count(bob) == 2

    # A write spanning users (no user given) invalidates everyone's count.
    Notification.objects.all().mark_as_unread()
    assert unread_count(bob) == 2
    assert unread_count(alice) == 2  # rows[1] is archived

    # A single save() (admin, shell) invalidates its recipient.
    rows[1].archived = False
    rows[1].unread = True
    rows[1].save()
    assert unread_count(alice) == 3


def test_cached_count_after_commit_replaces_a_value_cached_before_it(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_notifications(alice, 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Notification.objects.mark_all_as_read(alice)
        # A reader racing the commit would cache the old value under the version bumped at once...
        from django_signal_notifier.inbox.cache import cache_key, inbox_cache

        inbox_cache().set(cache_key(alice.pk, "unread"), 1)
        assert unread_count(alice) == 1
    for callback in callbacks:
        callback()
    # ...and the bump after commit makes that stale value unreachable.
    assert unread_count(alice) == 0


def test_counts_in_one_query(alice: Any, bob: Any) -> None:
    rows = make_notifications(alice, 4)
    make_notifications(bob, 2)
    Notification.objects.filter(pk=rows[0].pk).mark_as_read(alice)
    Notification.objects.filter(pk=rows[1].pk).archive(alice)
    with CaptureQueriesContext(connection) as queries:
        counts = Notification.objects.counts(alice)
    assert len(queries) == 1
    assert counts == {"unread": 2, "unseen": 2, "active": 3, "snoozed": 0, "archived": 1, "total": 4}


def test_counts_stay_right_without_a_working_cache(alice: Any, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    rows = make_notifications(alice, 2)
    assert unread_count(alice) == 2
    rows[0].mark_as_read()
    assert unread_count(alice) == 1
