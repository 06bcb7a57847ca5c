"""Seen vs read, snooze and expiry on the inbox rows: the queryset, the counts, the cache, prune."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from django_signal_notifier import notify
from django_signal_notifier.inbox.queries import inbox_queryset, unread_count, unseen_count
from django_signal_notifier.models import Notification
from tests.inbox.conftest import make_notifications
from tests.support.prefs import configure, save_article

pytestmark = pytest.mark.django_db


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def test_read_is_also_seen_and_unread_keeps_seen(alice: Any) -> None:
    row = make_notifications(alice, 1)[0]
    assert row.seen_at is None and row.read_at is None
    Notification.objects.filter(pk=row.pk).mark_as_read(alice)
    read = fresh(row)
    assert read.read_at is not None and read.seen_at == read.read_at
    Notification.objects.filter(pk=row.pk).mark_as_unread(alice)
    again = fresh(row)
    assert again.unread and again.read_at is None and again.seen_at == read.seen_at


def test_seen_is_not_read(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    assert unseen_count(alice) == 3
    assert Notification.objects.mark_all_as_seen(alice) == 3
    assert unseen_count(alice) == 0
    assert unread_count(alice) == 3
    assert all(fresh(row).seen_at is not None and fresh(row).unread for row in rows)
    # Seeing again changes nothing: the first time seen is kept.
    first = fresh(rows[0]).seen_at
    assert Notification.objects.mark_all_as_seen(alice) == 0
    assert fresh(rows[0]).seen_at == first


def test_snoozed_notifications_leave_the_inbox_and_its_counts_and_come_back_unread(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    Notification.objects.filter(pk=rows[0].pk).mark_as_read(alice)
    Notification.objects.mark_all_as_seen(alice)
    assert unread_count(alice) == 2
    until = timezone.now() + timedelta(hours=1)
    assert Notification.objects.filter(pk=rows[0].pk).snooze(until, user=alice) == 1
    snoozed = fresh(rows[0])
    assert (snoozed.snoozed_until, snoozed.unread, snoozed.seen_at, snoozed.read_at) == (until, True, None, None)
    assert rows[0].pk not in {n.pk for n in inbox_queryset(alice)}
    assert [n.pk for n in inbox_queryset(alice, "snoozed")] == [rows[0].pk]
    assert unread_count(alice) == 2 and unseen_count(alice) == 0
    counts = Notification.objects.counts(alice)
    assert (counts["active"], counts["snoozed"], counts["unread"]) == (2, 1, 2)
    # Seeing the list does not see what is snoozed: it comes back new.
    Notification.objects.mark_all_as_seen(alice)
    assert fresh(rows[0]).seen_at is None
    # Its time has come.
    Notification.objects.filter(pk=rows[0].pk).update(snoozed_until=timezone.now() - timedelta(seconds=1))
    assert rows[0].pk in {n.pk for n in inbox_queryset(alice)}
    assert Notification.objects.filter(pk=rows[0].pk).unsnooze(user=alice) == 1
    assert fresh(rows[0]).snoozed_until is None


def test_a_cached_unread_count_changes_when_a_snooze_ends_or_a_row_expires_without_any_write(alice: Any) -> None:
    rows = make_notifications(alice, 2)
    soon = timezone.now() + timedelta(seconds=0.5)
    Notification.objects.filter(pk=rows[0].pk).snooze(soon, user=alice)
    assert unread_count(alice) == 1  # cached: the snoozed one is left out
    time.sleep(0.6)
    assert unread_count(alice) == 2  # it woke up: the cached count knew when to stop holding
    Notification.objects.filter(pk=rows[1].pk).update(expires_at=timezone.now() + timedelta(seconds=0.5))
    Notification.objects.filter(pk=rows[0].pk).mark_as_read(alice)  # a write: counted afresh, with the expiry
    assert unread_count(alice) == 1
    time.sleep(0.6)
    assert unread_count(alice) == 0  # expired
    assert not inbox_queryset(alice).filter(pk=rows[1].pk).exists()


def test_expired_notifications_are_hidden_everywhere(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    Notification.objects.filter(pk=rows[0].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Notification.objects.filter(pk=rows[1].pk).update(expires_at=timezone.now() + timedelta(days=1))
    Notification.objects.filter(pk=rows[2].pk).archive(alice)
    Notification.objects.filter(pk=rows[2].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for show in ("active", "unread", "all", "archived", "snoozed"):
        assert rows[0].pk not in {n.pk for n in inbox_queryset(alice, show)}
    assert not inbox_queryset(alice, "archived").exists()
    assert Notification.objects.unread_count(alice) == 1
    assert Notification.objects.counts(alice) == {
        "unread": 1,
        "unseen": 1,
        "active": 1,
        "snoozed": 0,
        "archived": 0,
        "total": 1,
    }


def test_notify_expires_in_and_expires_at(alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    moment = timezone.now() + timedelta(days=2)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notify("reminder", recipients=alice, subject="in an hour", expires_in=3600)
        notify("reminder", recipients=alice, subject="at a moment", expires_at=moment)
        notify("reminder", recipients=alice, subject="for ever")
    rows = {n.title: n.expires_at for n in Notification.objects.filter(recipient=alice)}
    assert before + timedelta(hours=1) <= rows["in an hour"] <= timezone.now() + timedelta(hours=1)
    assert rows["at a moment"] == moment
    assert rows["for ever"] is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"expires_in": 0},
        {"expires_in": -5},
        {"expires_in": "soon"},
        {"expires_in": True},
        {"expires_at": "tomorrow"},
        {"expires_in": 5, "expires_at": timezone.now()},
    ],
)
def test_notify_refuses_bad_expiry(alice: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="expires"):
        notify("reminder", recipients=alice, subject="x", **kwargs)


def test_a_subscription_expiry_applies_to_its_inbox_rows(alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    configure([alice], messengers=("InSiteMessenger",), inbox_expiry_seconds=600)
    save_article(django_capture_on_commit_callbacks, "Expiring")
    row = Notification.objects.get(recipient=alice)
    assert row.event is not None
    assert row.expires_at == row.event.created_at + timedelta(seconds=600)


def test_prune_deletes_notifications_expired_longer_ago_than_older_than(alice: Any) -> None:
    rows = make_notifications(alice, 3)
    now = timezone.now()
    Notification.objects.filter(pk=rows[0].pk).update(expires_at=now - timedelta(days=10))
    Notification.objects.filter(pk=rows[1].pk).update(expires_at=now - timedelta(days=1))
    out = StringIO()
    call_command("signal_notifier", "prune", "--older-than", "7", "--dry-run", stdout=out)
    assert "Would delete 1 in-site notifications expired that long ago." in out.getvalue()
    assert Notification.objects.count() == 3
    call_command("signal_notifier", "prune", "--older-than", "7", stdout=StringIO())
    assert set(Notification.objects.values_list("pk", flat=True)) == {rows[1].pk, rows[2].pk}
    call_command("signal_notifier", "prune", "--older-than", "0", stdout=StringIO())
    assert set(Notification.objects.values_list("pk", flat=True)) == {rows[2].pk}
