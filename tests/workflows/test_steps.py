"""Workflow steps: a delayed step, an escalation that only reaches unread inboxes, cancel keys.

The clock is moved with time-machine; the task backend is the immediate one (it cannot defer),
so the sweeper (``signal_notifier redrive``) sends delayed steps once due, as in production
without a deferring backend.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from django_signal_notifier import cancel, notify
from django_signal_notifier.models import Delivery, DeliveryStatus, Notification, Subscription, Trigger
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401
from tests.support.taskpaths import TASK_BACKENDS
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
HOUR = 3600


def email_backend(subscription: Subscription) -> Any:
    return subscription.backends.get(messenger="EmailRecordingMessenger")


def set_step(subscription: Subscription, **step: Any) -> None:
    subscription.steps = {str(email_backend(subscription).pk): step}
    subscription.save()


def redrive_at(when: Any) -> None:
    with time_machine.travel(when, tick=False):
        call_command("signal_notifier", "redrive", stdout=StringIO())


def sweep_at(when: Any) -> None:
    """The sweeper's task (the command exits 1 when a delivery failed in its run)."""
    from django_signal_notifier.delivery.tasks import redrive

    with time_machine.travel(when, tick=False):
        redrive.call()


def test_a_delayed_step_is_written_pending_for_later_and_the_sweeper_sends_it_when_due(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    subscription = configure([ana])
    set_step(subscription, delay=HOUR)

    save_article(django_capture_on_commit_callbacks, "later")

    assert sent == []  # the immediate backend ran the deliver task: nothing was due
    [delivery] = Delivery.objects.all()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == delivery.created_at + timedelta(seconds=HOUR)
    redrive_at(delivery.created_at + timedelta(minutes=59))
    assert sent == []
    redrive_at(delivery.created_at + timedelta(seconds=HOUR, milliseconds=1))
    assert [m.address for m in sent] == ["ana@example.com"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_backend_that_can_defer_gets_the_delayed_step_enqueued_to_run_at_its_time(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_signal_notifier.taskapi import task_backends

    settings.TASKS = {
        "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
        "dummy": {"BACKEND": f"{TASK_BACKENDS}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "dummy"}
    subscription = configure(
        [make_user("ana"), make_user("bob")], messengers=("EmailRecordingMessenger", "RecordingMessenger")
    )
    set_step(subscription, delay=600)

    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="deferred")
    [fan_out] = task_backends["dummy"].results
    with django_capture_on_commit_callbacks(execute=True):
        fan_out.task.call(*fan_out.args)

    delivers = [r for r in task_backends["dummy"].results if r.task.name == "deliver"]
    email = Delivery.objects.filter(channel="EmailRecordingMessenger")
    due = email.first().created_at + timedelta(seconds=600)
    by_time = {r.task.run_after: sorted(r.args[0]) for r in delivers}
    assert by_time == {
        None: sorted(Delivery.objects.exclude(channel="EmailRecordingMessenger").values_list("pk", flat=True)),
        due: sorted(email.values_list("pk", flat=True)),
    }


def test_an_escalation_email_reaches_only_the_recipients_who_left_the_inbox_row_unread(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana, bob, eve = make_user("ana"), make_user("bob"), make_user("eve")
    subscription = configure([ana, bob, eve], messengers=("InSiteMessenger", "EmailRecordingMessenger"))
    set_step(subscription, delay=HOUR, only_if_unread=True)

    save_article(django_capture_on_commit_callbacks, "escalate")
    assert Notification.objects.count() == 3  # the inbox rows are written at once
    assert sent == []
    event_time = Delivery.objects.first().created_at
    with time_machine.travel(event_time + timedelta(minutes=20), tick=False):
        Notification.objects.filter(recipient=ana).mark_as_read()

    redrive_at(event_time + timedelta(seconds=HOUR + 1))

    assert sorted(m.address for m in sent) == ["bob@example.com", "eve@example.com"]
    outcome = {d.recipient.username: (d.status, d.reason) for d in Delivery.objects.select_related("recipient")}
    assert outcome == {
        "ana": ("skipped", "read in the inbox"),
        "bob": ("sent", ""),
        "eve": ("sent", ""),
    }


def test_deleting_the_object_cancels_its_pending_steps_through_a_cancelling_trigger(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    subscription = configure([make_user("ana"), make_user("bob")])
    set_step(subscription, delay=HOUR)
    Trigger.objects.create(
        verb="post_delete",
        action_object_content_type=ContentType.objects.get_for_model(Article),
        cancels_pending=True,
    )
    kept = save_article(django_capture_on_commit_callbacks, "kept")
    doomed = save_article(django_capture_on_commit_callbacks, "doomed")
    assert set(Delivery.objects.values_list("cancel_key", flat=True)) == {
        f"testapp.article:{kept.pk}",
        f"testapp.article:{doomed.pk}",
    }

    doomed_key = f"testapp.article:{doomed.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        doomed.delete()

    cancelled = Delivery.objects.filter(cancel_key=doomed_key)
    assert set(cancelled.values_list("status", "reason")) == {("skipped", "cancelled")}
    redrive_at(timezone.now() + timedelta(seconds=HOUR + 1))
    assert [m.subject for m in sent] == ["created article “kept”"] * 2


def test_notify_with_a_cancel_key_and_a_delay_is_cancelled_by_that_key(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            "reminder",
            recipients=[ana],
            channels=["EmailRecordingMessenger"],
            subject="Your cart",
            delay=1800,
            cancel_key="cart-7",
        )
        notify("kept", recipients=[ana], channels=["EmailRecordingMessenger"], subject="Other", delay=1800)
    assert sent == []

    assert cancel("cart-7") == 1
    assert cancel("cart-7") == 0  # already cancelled: nothing left pending

    redrive_at(timezone.now() + timedelta(seconds=1801))
    assert [m.subject for m in sent] == ["Other"]
    assert Delivery.objects.get(cancel_key="cart-7").reason == "cancelled"


def test_bad_steps_and_bad_delays_are_refused_with_a_clear_message() -> None:
    from django.core.exceptions import ValidationError

    subscription = configure([make_user("ana")])
    subscription.steps = {str(email_backend(subscription).pk): {"delay": "an hour", "when": 1}}
    with pytest.raises(ValidationError) as raised:
        subscription.full_clean()
    text = str(raised.value)
    assert "delay must be a whole number of seconds" in text and "unknown options when" in text
    with pytest.raises(ValueError, match="delay"):
        notify("x", recipients=[], channels=["EmailRecordingMessenger"], delay=-5)
    with pytest.raises(ValueError, match="cancel key"):
        cancel("")


@pytest.fixture
def second_channel() -> Any:
    from tests.support.recording import RecordingMessenger

    RecordingMessenger.sent.clear()
    yield RecordingMessenger.sent
    RecordingMessenger.sent.clear()


def with_fallback(users: list[Any], first: str = "EmailRecordingMessenger", **first_options: Any) -> Subscription:
    """``first``, then the RecordingMessenger (to usernames) as its fallback."""
    subscription = configure(users, messengers=(first, "RecordingMessenger"))
    if first_options:
        subscription.backends.filter(messenger=first).update(options=first_options)
    second = subscription.backends.get(messenger="RecordingMessenger")
    subscription.steps = {str(second.pk): {"fallback": True}}
    subscription.save()
    return subscription


def test_a_fallback_step_runs_only_for_the_recipients_the_first_channel_could_not_reach(
    django_capture_on_commit_callbacks: Any, sent: list[Any], second_channel: list[Any]
) -> None:
    ana, bob = make_user("ana"), make_user("bob")
    type(ana).objects.filter(pk=ana.pk).update(email="")  # no address on the first channel

    with_fallback([ana, bob])
    save_article(django_capture_on_commit_callbacks, "reach me")

    assert [m.address for m in sent] == ["bob@example.com"]
    assert [m.address for m in second_channel] == ["ana"]
    outcome = {(d.channel, d.recipient.username): (d.status, d.reason) for d in Delivery.objects.all()}
    assert outcome == {
        ("EmailRecordingMessenger", "ana"): ("skipped", "no address for this channel"),
        ("EmailRecordingMessenger", "bob"): ("sent", ""),
        ("RecordingMessenger", "ana"): ("sent", ""),
        ("RecordingMessenger", "bob"): ("skipped", "not needed: the step before ended sent"),
    }


def test_a_fallback_to_a_second_channel_runs_when_the_first_ends_dead(
    django_capture_on_commit_callbacks: Any, sent: list[Any], second_channel: list[Any]
) -> None:
    with_fallback([make_user("ana")], "DurableRecordingMessenger", permanent=True)
    save_article(django_capture_on_commit_callbacks, "bounced")

    statuses = dict(Delivery.objects.values_list("channel", "status"))
    assert statuses == {"DurableRecordingMessenger": "dead", "RecordingMessenger": "sent"}
    assert [m.address for m in second_channel] == ["ana"]


def test_a_waiting_fallback_is_neither_sent_nor_lost_while_the_first_step_is_retried(
    django_capture_on_commit_callbacks: Any, sent: list[Any], second_channel: list[Any]
) -> None:
    with_fallback([make_user("ana")], "DurableRecordingMessenger", fail_times=99)
    save_article(django_capture_on_commit_callbacks, "flaky")

    assert dict(Delivery.objects.values_list("channel", "status")) == {
        "DurableRecordingMessenger": "failed",
        "RecordingMessenger": "waiting",
    }
    for _ in range(10):  # each retry due in turn, until the attempts are used up
        sweep_at(Delivery.objects.get(channel="DurableRecordingMessenger").next_attempt_at)
        if not Delivery.objects.filter(status="failed").exists():
            break
    assert dict(Delivery.objects.values_list("channel", "status")) == {
        "DurableRecordingMessenger": "dead",
        "RecordingMessenger": "sent",
    }
    assert [m.address for m in second_channel] == ["ana"]
