"""The pub/sub's wire format: kinds, and long lists of users split under PostgreSQL's payload limit."""

from __future__ import annotations

import json
from typing import Any

from django_signal_notifier.checks.settings import check_realtime
from django_signal_notifier.realtime.messages import MAX_PAYLOAD_BYTES, InboxMessage, decode, encode, kind_of


def test_kind_of_names_each_queryset_write() -> None:
    assert kind_of({"unread": False}) == "read"
    assert kind_of({"unread": True}) == "unread"
    assert kind_of({"archived": True}) == "archived"
    assert kind_of({"archived": False}) == "unarchived"
    assert kind_of(None) == "changed"
    assert kind_of({"title": "x"}) == "changed"


def test_one_write_is_one_payload_that_round_trips() -> None:
    (payload,) = encode("read", [3, 1, 3], notification_ids=[7, 8])
    assert decode(payload) == InboxMessage("read", (1, 3), None, (7, 8))
    (payload,) = encode("new", [5], event_id=42)
    assert decode(payload) == InboxMessage("new", (5,), 42, ())
    (payload,) = encode("changed", None)
    assert decode(payload) == InboxMessage("changed", None)


def test_a_chunk_of_many_users_is_split_under_the_notify_limit() -> None:
    users = list(range(1_000_000, 1_005_000))
    payloads = encode("new", users, event_id=9)
    assert len(payloads) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    heard = [decode(p) for p in payloads]
    assert all(m is not None and m.event_id == 9 and m.kind == "new" for m in heard)
    assert sorted(uid for m in heard if m and m.user_ids for uid in m.user_ids) == users


def test_no_users_no_payload_and_foreign_payloads_are_ignored() -> None:
    assert encode("read", []) == []
    assert decode("not json") is None
    assert decode(json.dumps({"k": "explode", "u": [1]})) is None
    assert decode(json.dumps({"u": [1]})) is None
    assert decode(json.dumps({"k": "read", "u": ["x"]})) is None


def test_a_broker_that_cannot_run_is_a_system_check_error(settings: Any) -> None:
    assert check_realtime() == []
    for bad in ({"REALTIME_BROKER": "kafka"}, {"REALTIME_BROKER": "redis"}, {"REALTIME_CHANNEL": "inbox; DROP"}):
        settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, **bad}
        (error,) = check_realtime()
        assert error.id == "signal_notifier.E060", bad
