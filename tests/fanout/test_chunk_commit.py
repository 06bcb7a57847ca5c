"""A fan-out chunk's own transaction commits without waiting for the disk on PostgreSQL.

The event row it starts from was committed durably with the sender's change, and a chunk lost
with its claim is written again by the sweeper, so the request pays one durable commit (the
sender's). A chunk run inside a transaction of its caller leaves that transaction durable.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.fanout import chain
from django_signal_notifier.models import Event, Notification
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]  # synchronous_commit: PostgreSQL
ASYNC = "set_config('synchronous_commit', 'off', true)"


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting (DSN_TEST_DB=postgres runs this)")


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def hold_later_chunks(settings: Any, chunk_size: int) -> None:
    """A queueing backend that keeps its tasks: the request writes the first chunk only."""
    from django_signal_notifier.taskapi import task_backends

    module = type(task_backends["default"]).__module__.rsplit(".", 1)[0]
    settings.TASKS = {
        "default": {"BACKEND": f"{module}.immediate.ImmediateBackend"},
        "hold": {"BACKEND": f"{module}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "hold", "FANOUT_CHUNK_SIZE": chunk_size}


def test_the_chunk_after_the_senders_commit_does_not_wait_for_the_disk() -> None:
    subscribe("post_save", Article, users=[user("alice")], messenger="InSiteMessenger")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        Article.objects.create(title="Hello")
    sql = [q["sql"] for q in captured.captured_queries]
    commits = [i for i, s in enumerate(sql) if s.upper().startswith("COMMIT")]
    claims = [i for i, s in enumerate(sql) if ASYNC in s]
    assert len(commits) == 2 and len(claims) == 1, sql
    assert commits[0] < claims[0] < commits[1]  # in the fan-out's transaction, not the sender's
    assert Notification.objects.count() == 1
    assert synchronous_commit() == "on"  # for that transaction only


def test_a_chunk_inside_its_callers_transaction_keeps_the_durable_commit(settings: Any) -> None:
    hold_later_chunks(settings, chunk_size=2)
    group = Group.objects.create(name="readers")
    group.user_set.add(*[user(f"reader{i}") for i in range(5)])
    subscribe("post_save", Article, groups=[group], messenger="InSiteMessenger")
    Article.objects.create(title="to the readers")
    event = Event.objects.get()
    assert chain.run_chunk(event.pk, 0) == chain.MORE  # a queueing backend: the request only enqueued it
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert chain.run_chunk(event.pk, 1) == chain.MORE
        assert synchronous_commit() == "on"
    assert not [q["sql"] for q in captured.captured_queries if ASYNC in q["sql"]]
    assert Notification.objects.count() == 4
