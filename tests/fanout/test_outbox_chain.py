"""The transactional outbox and the chunked fan-out (issue 15), in one process.

The event is written in the sender's transaction; after commit the fan-out runs from that row in
chunks; whatever stops it half-way is resumed by the sweeper (redrive), never twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from django_signal_notifier.fanout import chain
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Notification, Subscription
from tests.support.factories import subscribe, user
from tests.support.recording import RecordingMessenger
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@messenger_registry.register
class RoomMessenger(RecordingMessenger):
    """A chat room: every recipient's message goes to the backend's ``room``."""

    option_names: ClassVar[tuple[str, ...]] = ("room",)

    @classmethod
    def shares_destination(cls, options: dict[str, Any]) -> bool:
        return bool(options.get("room"))

    def get_address(self, user: Any) -> str | None:
        return str(self.options.get("room") or "") or super().get_address(user)


def group_of(count: int, name: str) -> Group:
    group = Group.objects.create(name=name)
    group.user_set.add(*[user(f"{name}{i}") for i in range(count)])
    return group


def test_a_rollback_leaves_no_event_and_no_message(recorded):
    subscribe("post_save", Article, users=[user("alice")])
    with pytest.raises(RuntimeError), transaction.atomic():
        Article.objects.create(title="never")
        assert Event.objects.count() == 1  # written with the change, in the same transaction
        raise RuntimeError
    assert Event.objects.count() == Delivery.objects.count() == 0
    assert recorded == []


def test_an_earlier_on_commit_hook_that_raises_loses_nothing(recorded, settings):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_RESUME_AFTER": 0}
    subscribe("post_save", Article, users=[user("alice"), user("bob")])

    def broken_hook() -> None:
        raise ValueError("an application hook")

    with pytest.raises(ValueError), transaction.atomic():
        transaction.on_commit(broken_hook)  # Django skips the hooks after this one
        Article.objects.create(title="committed")
    assert Article.objects.filter(title="committed").exists()
    event = Event.objects.get()
    assert not event.fanout_done and recorded == []  # the fan-out never ran ...

    call_command("signal_notifier", "redrive")  # ... the sweeper finds the event and finishes it
    assert sorted(m.address for m in recorded) == ["alice", "bob"]
    call_command("signal_notifier", "redrive")  # and a second sweep sends nothing twice
    assert len(recorded) == 2
    event.refresh_from_db()
    assert event.fanout_done


def test_a_big_audience_is_written_in_chunks_each_recipient_once(settings):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_CHUNK_SIZE": 7}
    group = group_of(30, "reader")
    subscribe("post_save", Article, groups=[group], messenger="InSiteMessenger")
    Article.objects.create(title="to everyone")
    assert Notification.objects.count() == 30
    assert Notification.objects.values("recipient").distinct().count() == 30
    event = Event.objects.get()
    assert event.fanout_done and event.fanout_step == 5  # 7 + 7 + 7 + 7 + 2


def test_a_chunk_run_twice_writes_nothing_the_second_time(settings):
    from django_signal_notifier.taskapi import task_backends

    settings.TASKS = {
        "default": {"BACKEND": f"{type(task_backends['default']).__module__}.ImmediateBackend"},
        "hold": {"BACKEND": f"{type(task_backends['default']).__module__.rsplit('.', 1)[0]}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "hold", "FANOUT_CHUNK_SIZE": 4}
    subscribe("post_save", Article, groups=[group_of(10, "r")], messenger="InSiteMessenger")
    Article.objects.create(title="queued")
    event = Event.objects.get()
    # A queueing backend: the request writes the event and enqueues its fan-out, whatever the audience.
    assert Notification.objects.count() == 0
    assert [(r.task.name, r.args) for r in task_backends["hold"].results] == [("fan_out_chunk", [event.pk, 0])]

    assert chain.run_chunk(event.pk, 0) == chain.MORE
    assert chain.run_chunk(event.pk, 0) == chain.NOTHING  # the first chunk again: no second row
    assert Notification.objects.count() == 4
    assert chain.run_chunk(event.pk, 1) == chain.MORE
    assert chain.run_chunk(event.pk, 1) == chain.NOTHING  # a redelivered task: no second row
    assert Notification.objects.count() == 8
    assert chain.run_chunk(event.pk, 2) == chain.LAST
    assert chain.run_chunk(event.pk, 2) == chain.NOTHING
    assert Notification.objects.count() == 10
    assert Notification.objects.values("recipient").distinct().count() == 10


def test_a_shared_destination_gets_one_delivery_and_one_post(recorded):
    sub = subscribe("post_save", Article, groups=[group_of(250, "m")], messenger="RoomMessenger")
    Backend.objects.filter(subscriptions=sub).update(options={"room": "#general"})
    Article.objects.create(title="announcement")
    assert Delivery.objects.count() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.recipient_id is None
    assert [m.address for m in recorded] == ["#general"]


def test_pending_messages_of_a_disabled_subscription_end_skipped(settings, recorded):
    from django_signal_notifier.delivery.outbox import deliver_due
    from django_signal_notifier.taskapi import task_backends

    module = type(task_backends["default"]).__module__.rsplit(".", 1)[0]
    settings.TASKS = {
        "default": {"BACKEND": f"{module}.immediate.ImmediateBackend"},
        "hold": {"BACKEND": f"{module}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "hold"}
    sub = subscribe("post_save", Article, users=[user("alice"), user("bob")])
    Article.objects.create(title="queued")
    chain.run_chunk(Event.objects.get().pk, 0)
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2
    Subscription.objects.filter(pk=sub.pk).update(enabled=False)
    deliver_due()
    assert recorded == []
    assert set(Delivery.objects.values_list("status", "reason")) == {
        (DeliveryStatus.SKIPPED, "its subscription is disabled")
    }


def test_an_unknown_messenger_at_send_time_is_retried_not_dead(settings):
    from django_signal_notifier.delivery.outbox import deliver_due

    subscribe("post_save", Article, users=[user("alice")])
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "default"}
    Article.objects.create(title="x")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, channel="MessengerOfANewerRelease", sent_at=None
    )
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "unknown messenger" in delivery.last_error


def test_a_person_in_two_subscriptions_of_one_backend_gets_one_message_across_chunks(settings, recorded):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_CHUNK_SIZE": 3}
    readers = group_of(5, "reader")
    first = subscribe("post_save", Article, groups=[readers])
    backend = first.backends.get()
    second = Subscription.objects.create(trigger=first.trigger)
    second.backends.add(backend)
    second.receiver_groups.add(readers)  # the same people again, read in later chunks
    Article.objects.create(title="twice over")
    assert sorted(m.address for m in recorded) == sorted(f"reader{i}" for i in range(5))
    assert Delivery.objects.count() == 5
    assert Event.objects.get().fanout_done


def test_a_subscription_disabled_between_chunks_neither_skips_nor_repeats_the_others(settings):
    from django_signal_notifier.taskapi import task_backends

    settings.TASKS = {
        "default": {"BACKEND": f"{type(task_backends['default']).__module__}.ImmediateBackend"},
        "hold": {"BACKEND": f"{type(task_backends['default']).__module__.rsplit('.', 1)[0]}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "hold", "FANOUT_CHUNK_SIZE": 4}
    b_group = group_of(6, "b")  # older users than the first subscription's: lower keyset ids
    first = subscribe("post_save", Article, groups=[group_of(6, "a")], messenger="InSiteMessenger")
    second = Subscription.objects.create(trigger=first.trigger)
    second.backends.add(first.backends.get())
    second.receiver_groups.add(b_group)
    Article.objects.create(title="queued")
    event = Event.objects.get()
    chain.run_chunk(event.pk, 0)
    assert Notification.objects.count() == 4  # a0..a3
    first.enabled = False
    first.save()  # the first subscription's position is gone: the next chunk starts the second
    for _ in range(5):
        if chain.run_chunk(event.pk, Event.objects.get().fanout_step) == chain.LAST:
            break
    names = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert names == ["a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3", "b4", "b5"]
