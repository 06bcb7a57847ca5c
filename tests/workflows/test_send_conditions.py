"""A step's only_if conditions, checked when it is about to be sent: on the snapshot, or re-read (fresh)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from django_signal_notifier.config.send_conditions import OBJECT_GONE
from django_signal_notifier.models import Delivery, Subscription
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
OPEN = [{"field": "status", "op": "eq", "value": "open"}]


def step(subscription: Subscription, **options: Any) -> None:
    subscription.steps = {str(subscription.backends.get().pk): {"delay": 3600, **options}}
    subscription.full_clean()
    subscription.save()


def create(capture: Any, title: str) -> Article:
    with capture(execute=True):
        return Article.objects.create(title=title, status="open")


def redrive_an_hour_later() -> None:
    with time_machine.travel(Delivery.objects.earliest("created_at").created_at + timedelta(hours=1, seconds=1)):
        call_command("signal_notifier", "redrive", stdout=StringIO())


def outcome(article: Article) -> tuple[str, str]:
    delivery = Delivery.objects.get(event__action_object_id=str(article.pk))
    return delivery.status, delivery.reason


def test_a_fresh_condition_reads_the_object_as_it_is_when_the_step_is_sent(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    step(configure([make_user("ana")]), only_if=OPEN, fresh=True)
    closed = create(django_capture_on_commit_callbacks, "closed meanwhile")
    still_open = create(django_capture_on_commit_callbacks, "still open")
    deleted = create(django_capture_on_commit_callbacks, "deleted meanwhile")
    Article.objects.filter(pk=closed.pk).update(status="closed")  # no signal: only the database knows
    Article.objects.filter(pk=deleted.pk).delete()

    redrive_an_hour_later()

    assert len(sent) == 1
    assert outcome(closed) == ("skipped", "condition not met: status eq 'open'")
    assert outcome(still_open) == ("sent", "")
    assert Delivery.objects.get(event__action_object_id=str(deleted.pk)).reason == OBJECT_GONE


def test_without_fresh_the_condition_reads_the_events_snapshot(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    step(configure([make_user("ana")]), only_if=OPEN)
    closed = create(django_capture_on_commit_callbacks, "closed meanwhile")
    Article.objects.filter(pk=closed.pk).update(status="closed")
    redrive_an_hour_later()
    assert outcome(closed) == ("sent", "")  # the snapshot said open


def test_only_if_takes_state_conditions_on_the_triggers_model_with_clear_errors() -> None:
    subscription = configure([make_user("ana")])
    with pytest.raises(ValidationError, match="the op must be one of eq, ne, in, not_in, callable"):
        step(subscription, only_if=[{"field": "status", "op": "changed"}])
    with pytest.raises(ValidationError, match="has no field 'state'"):
        step(subscription, only_if=[{"field": "state", "op": "eq", "value": "open"}])
    with pytest.raises(ValidationError, match="fresh applies to only_if"):
        step(subscription, fresh=True)
