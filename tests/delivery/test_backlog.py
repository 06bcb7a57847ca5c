"""backlog(): the outbox's health in three queries, and its JSON view for probes (200 healthy, 503 not)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from django_signal_notifier import backlog
from django_signal_notifier.delivery.backlog import backlog_view
from django_signal_notifier.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


def delivery(status: str, due_in: float, **fields: object) -> Delivery:
    event = Event.objects.create(verb="post_save")
    return Delivery.objects.create(
        event=event, channel="c", status=status, next_attempt_at=timezone.now() + timedelta(seconds=due_in), **fields
    )


def probe(query: str = "") -> tuple[int, dict[str, object]]:
    response = backlog_view(RequestFactory().get(f"/health/{query}"))
    return response.status_code, json.loads(response.content)


def test_an_empty_outbox_is_healthy_with_nothing_to_age(django_assert_num_queries):
    with django_assert_num_queries(3):
        state = backlog()
    assert (state.due, state.waiting, state.dead, state.unfinished_fanouts) == (0, 0, 0, 0)
    assert state.oldest_due_age is state.oldest_fanout_age is state.last_sweep_age is None
    assert probe() == (200, {**state.as_dict(), "healthy": True, "problems": []})


def test_a_delivery_due_for_ten_minutes_makes_the_probe_fail_and_says_why():
    delivery(DeliveryStatus.PENDING, -600)
    delivery(DeliveryStatus.FAILED, 120)  # a retry waiting for its time: not late
    delivery(DeliveryStatus.DEAD, -3600)
    state = backlog()
    assert (state.due, state.waiting, state.failed, state.dead) == (1, 1, 1, 1)
    assert state.oldest_due_age is not None and 595 < state.oldest_due_age < 700
    status, body = probe()
    assert status == 503 and body["healthy"] is False
    assert body["problems"] == [f"the oldest due delivery has waited {state.oldest_due_age:.0f}s (more than 300s)"]
    assert probe("?max_delay=3600")[0] == 200


def test_a_claim_of_a_dead_worker_counts_as_due():
    delivery(DeliveryStatus.SENDING, -60, claimed_until=timezone.now() - timedelta(seconds=30))
    delivery(DeliveryStatus.SENDING, -60, claimed_until=timezone.now() + timedelta(seconds=300))
    state = backlog()
    assert (state.due, state.sending) == (1, 2)


def test_a_stalled_fan_out_is_reported_until_the_sweeper_finishes_it(settings):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_RESUME_AFTER": 0}
    Event.objects.create(
        verb="post_save", trigger_ids=[], fanout_done=False, fanout_updated_at=timezone.now() - timedelta(minutes=10)
    )
    state = backlog()
    assert state.unfinished_fanouts == 1 and state.problems()[0].startswith("a fan-out has not moved for")
    call_command("signal_notifier", "redrive", verbosity=0)
    state = backlog()
    assert state.unfinished_fanouts == 0 and state.problems() == []
    assert state.last_sweep_age is not None and state.last_sweep_age < 60


def test_a_bad_max_delay_is_a_400_that_says_what_to_fix():
    assert probe("?max_delay=soon") == (400, {"error": "max_delay must be a number of seconds"})
