"""notification_read and notification_archived: sent once per write, with the rows that write changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_signal_notifier.models import Notification
from django_signal_notifier.signals import notification_archived, notification_read
from tests.inbox.conftest import make_notifications

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    calls: list[tuple[str, dict[str, Any]]] = []

    def on_read(sender: Any, **kwargs: Any) -> None:
        calls.append(("read", kwargs))

    def on_archived(sender: Any, **kwargs: Any) -> None:
        calls.append(("archived", kwargs))

    notification_read.connect(on_read)
    notification_archived.connect(on_archived)
    yield calls
    notification_read.disconnect(on_read)
    notification_archived.disconnect(on_archived)


def test_marking_read_through_the_inbox_api_announces_the_notification(alice: Any, heard: list[Any]) -> None:
    [row] = make_notifications(alice, 1)
    client = Client()
    client.force_login(alice)

    assert client.post(reverse("django_signal_notifier_inbox:mark_read", args=[row.pk])).status_code == 200
    assert client.post(reverse("django_signal_notifier_inbox:mark_read", args=[row.pk])).status_code == 200

    [(name, kwargs)] = heard  # the second POST changed nothing: nothing announced
    assert name == "read"
    assert kwargs["notification_ids"] == [row.pk]
    assert kwargs["user_ids"] == [alice.pk]
    assert kwargs["using"] == "default"
    assert not Notification.objects.get(pk=row.pk).unread


def test_archiving_announces_only_the_rows_it_changed(alice: Any, bob: Any, heard: list[Any]) -> None:
    mine = make_notifications(alice, 3)
    theirs = make_notifications(bob, 1)
    Notification.objects.filter(pk=mine[0].pk).archive()
    heard.clear()

    changed = Notification.objects.filter(pk__in=[r.pk for r in mine + theirs]).archive(user=alice)

    assert changed == 2
    [(name, kwargs)] = heard
    assert name == "archived"
    assert sorted(kwargs["notification_ids"]) == [mine[1].pk, mine[2].pk]
    assert kwargs["user_ids"] == [alice.pk]
    assert not Notification.objects.get(pk=theirs[0].pk).archived


def test_mark_all_as_read_announces_every_users_rows(alice: Any, bob: Any, heard: list[Any]) -> None:
    rows = make_notifications(alice, 2) + make_notifications(bob, 1)
    assert Notification.objects.mark_all_as_read() == 3
    [(name, kwargs)] = heard
    assert sorted(kwargs["notification_ids"]) == sorted(r.pk for r in rows)
    assert kwargs["user_ids"] == sorted([alice.pk, bob.pk])


def test_without_a_receiver_a_write_stays_one_update(alice: Any) -> None:
    make_notifications(alice, 2)
    with CaptureQueriesContext(connection) as queries:
        Notification.objects.mark_all_as_read(alice)
    assert len(queries) == 1
