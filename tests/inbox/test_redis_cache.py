"""The per-user cache on a shared Redis cache, as production runs it (several processes)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.inbox.queries import unread_count
from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_counts_on_redis_are_per_user_and_follow_writes(
    redis_url: str, settings: Any, alice: Any, bob: Any, django_capture_on_commit_callbacks: Any
) -> None:
    prefix = f"dsn-inbox-test-{uuid.uuid4().hex[:8]}"  # helpers share one Redis
    settings.CACHES = {
        **settings.CACHES,
        "inbox": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "INBOX_CACHE": "inbox"}
    try:
        make_notifications(alice, 3)
        make_notifications(bob, 1)
        assert (unread_count(alice), unread_count(bob)) == (3, 1)
        with CaptureQueriesContext(connection) as queries:
            assert (unread_count(alice), unread_count(bob)) == (3, 1)
        assert len(queries) == 0
        with django_capture_on_commit_callbacks(execute=True):
            Notification.objects.mark_all_as_read(alice)
        assert (unread_count(alice), unread_count(bob)) == (0, 1)
    finally:
        _delete_prefix(redis_url, prefix)  # clear() would flush the shared database


def _delete_prefix(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)
