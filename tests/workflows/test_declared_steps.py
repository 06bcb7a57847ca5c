"""Steps declared in code (backends named by key), and the problems a step's settings can have."""

from __future__ import annotations

import pytest

from django_signal_notifier import declare
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.config.problems import subscription_problems
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.models import Subscription, Trigger
from tests.support.prefs import make_user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


def declare_escalation(d: declare.Declarer, steps: dict) -> Subscription:
    trigger = d.trigger("article-saved", verb="post_save", model=Article)
    inbox = d.backend("inbox", messenger="InSiteMessenger")
    email = d.backend("email", messenger="EmailRecordingMessenger")
    sms = d.backend("sms", messenger="RecordingMessenger")
    d.trigger("article-deleted", verb="post_delete", model=Article, cancels_pending=True)
    return d.subscription(
        "escalate", trigger=trigger, backends=[inbox, email, sms], users=[make_user("ana")], steps=steps
    )


def test_steps_declared_by_backend_key_reach_the_engine() -> None:
    declare_escalation(
        declare.Declarer(),
        {"email": {"delay": 3600, "only_if_unread": True}, "sms": {"fallback": True}},
    )
    trigger_index.invalidate()
    [spec] = trigger_index.lookup("post_save", Article)
    inbox, email, sms = spec.subscriptions[0].backends
    assert (inbox.delay_seconds, inbox.only_if_unread, inbox.has_fallback) == (0, False, False)
    assert (email.delay_seconds, email.only_if_unread, email.has_fallback) == (3600, True, True)
    assert (sms.fallback, sms.delay_seconds) == (True, 0)
    [cancelling] = trigger_index.lookup("post_delete", Article)  # kept although it has no subscription
    assert cancelling.cancels_pending and cancelling.subscriptions == ()
    assert Trigger.objects.get(key="article-deleted").cancels_pending


def test_a_malformed_step_is_refused_by_declare_with_its_reason() -> None:
    with pytest.raises(ConfigurationError, match="delay must be a whole number of seconds"):
        declare_escalation(declare.Declarer(), {"email": {"delay": -1}})


def test_steps_that_cannot_work_are_reported_without_blocking_the_save() -> None:
    subscription = declare_escalation(
        declare.Declarer(),
        {"inbox": {"delay": 60}, "nobody": {"delay": 5}},
    )
    texts = [p.text for p in subscription_problems(subscription) if p.check_id == "signal_notifier.W032"]
    assert any("in-site inbox is written at once" in t for t in texts), texts
    assert any("'nobody' names none of the subscription's backends" in t for t in texts), texts
    subscription.steps = {"email": {"only_if_unread": True}}
    subscription.backends.set(subscription.backends.exclude(key="inbox"))
    texts = [p.text for p in subscription_problems(subscription)]
    assert any("only_if_unread needs an in-site backend" in t for t in texts), texts
