"""The hub reads the database twice per published message, whatever the number of users or streams."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_signal_notifier import notify
from django_signal_notifier.models import Notification
from django_signal_notifier.realtime.hub import load_updates
from django_signal_notifier.realtime.messages import InboxMessage

pytestmark = pytest.mark.django_db


def test_new_rows_and_counts_of_many_users_in_two_queries(django_assert_num_queries: Any, run_on_commit: Any) -> None:
    get_user_model().objects.bulk_create(get_user_model()(username=f"u{i}") for i in range(30))
    users = list(get_user_model().objects.order_by("pk"))
    with run_on_commit():
        sent = notify("pinged", recipients=users, subject="Ping")
    event = sent.event
    user_ids = [u.pk for u in users]
    message = InboxMessage("new", tuple(user_ids), event.pk)
    with django_assert_num_queries(2):
        updates = load_updates(message, user_ids)
    assert set(updates) == set(user_ids)
    for uid, update in updates.items():
        (row,) = update.rows
        assert row["id"] == Notification.objects.get(recipient_id=uid).pk and row["title"] == "Ping"
        assert update.unread_count == 1


def test_a_change_without_rows_is_counts_only(django_assert_num_queries: Any, run_on_commit: Any) -> None:
    alice = get_user_model().objects.create_user("alice")
    with run_on_commit():
        notify("pinged", recipients=[alice], subject="Ping")
    Notification.objects.filter(recipient=alice).mark_as_read(alice)
    with django_assert_num_queries(1):
        updates = load_updates(InboxMessage("read", (alice.pk,)), [alice.pk])
    assert updates[alice.pk].rows == [] and updates[alice.pk].unread_count == 0


def test_the_counts_are_the_badges_entries_of_many_users(django_assert_num_queries: Any, run_on_commit: Any) -> None:
    alice, bob = (get_user_model().objects.create_user(name) for name in ("alice", "bob"))
    with run_on_commit():
        for actor in ("carol", "dave"):
            notify("liked", recipients=[alice, bob], subject=f"{actor} liked it", group_key="photo-7")
        notify("pinged", recipients=[alice], subject="Ping")
    with django_assert_num_queries(1):
        updates = load_updates(InboxMessage("read", (alice.pk, bob.pk)), [alice.pk, bob.pk])
    assert updates[alice.pk].unread_count == Notification.objects.unread_entry_count(alice) == 2
    assert updates[bob.pk].unread_count == Notification.objects.unread_entry_count(bob) == 1
