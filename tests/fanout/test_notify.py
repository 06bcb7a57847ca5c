"""notify(): explicit sends go through the same pipeline as signals."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from django_signal_notifier import notify
from django_signal_notifier.messengers.testing import TestMessenger
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Notification, Subscription
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

EVENT_FIELDS = [
    "verb",
    "action_object_content_type_id",
    "action_object_id",
    "actor_content_type_id",
    "actor_object_id",
    "target_content_type_id",
    "target_object_id",
]
DELIVERY_FIELDS = ["backend_id", "channel", "recipient_id", "address", "status", "reason", "attempts", "last_error"]
DELIVERY_FIELDS += ["content", "language"]
NOTIFICATION_FIELDS = [
    "recipient_id",
    "verb",
    "actor_content_type_id",
    "actor_object_id",
    "actor_text",
    "action_object_content_type_id",
    "action_object_id",
    "action_object_text",
    "target_content_type_id",
    "target_object_id",
    "target_text",
    "title",
    "body",
    "url",
    "data",
    "unread",
]


# The fan-out of an explicit send to a group on two channels, whatever the group's size: savepoint,
# Event insert, one preference query and one bulk insert per channel, savepoint release. (The
# recipients' ids are read by the notify() call itself, in one query.)
EXPLICIT_FANOUT_QUERIES = 7


@pytest.fixture(autouse=True)
def _empty_test_outbox():
    TestMessenger.outbox.clear()
    yield
    TestMessenger.outbox.clear()


def rows(event):
    deliveries = [
        {f: getattr(d, f) for f in DELIVERY_FIELDS}
        for d in Delivery.objects.filter(event=event).order_by("recipient_id")
    ]
    notifications = [
        {f: getattr(n, f) for f in NOTIFICATION_FIELDS}
        for n in Notification.objects.filter(event=event).order_by("recipient_id")
    ]
    return deliveries, notifications


def test_an_explicit_send_to_a_group_writes_the_rows_a_signal_writes(django_capture_on_commit_callbacks):
    editors = Group.objects.create(name="editors")
    alice, bob, carol = user("alice"), user("bob"), user("carol", is_active=False)
    for member in (alice, bob, carol):
        member.groups.add(editors)
    subscription = subscribe("post_save", Article, groups=[editors], messenger="TestMessenger")
    inbox = Backend.objects.create(messenger="InSiteMessenger")
    subscription.backends.add(inbox)
    backends = list(Subscription.objects.get().backends.order_by("pk"))

    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(title="Hello", author=alice)
    by_signal = Event.objects.get()
    subscription.delete()  # the explicit send must not ride on the trigger

    with django_capture_on_commit_callbacks(execute=True):
        notify("post_save", recipients=editors, action_object=article, backends=backends, extra={"created": True})
    explicit = Event.objects.exclude(pk=by_signal.pk).get()

    for name in EVENT_FIELDS:
        assert getattr(explicit, name) == getattr(by_signal, name), name
    # The same snapshot, marked as sent from code (its unsubscribe links name the verb).
    assert explicit.snapshot == {**by_signal.snapshot, "sent_from_code": {"mandatory": False}}
    signal_deliveries, signal_notifications = rows(by_signal)
    explicit_deliveries, explicit_notifications = rows(explicit)
    assert len(signal_deliveries) == len(signal_notifications) == 2  # carol is inactive
    assert explicit_deliveries == signal_deliveries
    assert explicit_notifications == signal_notifications
    assert {d["status"] for d in explicit_deliveries} == {DeliveryStatus.SENT}
    # The explicit send belongs to no trigger or subscription; the log says so.
    assert set(Delivery.objects.filter(event=explicit).values_list("trigger_id", "subscription_id")) == {(None, None)}
    assert len(TestMessenger.outbox) == 4


def test_nothing_is_sent_before_commit_or_after_a_rollback(django_capture_on_commit_callbacks):
    alice = user("alice")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify("pinged", recipients=alice, channels=["TestMessenger"], subject="Ping")
        assert Event.objects.count() == 0
        transaction.set_rollback(True)
    assert Event.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify("pinged", recipients=alice, channels=["TestMessenger"], subject="Ping")
        assert sent.event is None
    assert [m.subject for m in TestMessenger.outbox] == ["Ping"]
    assert sent.event == Event.objects.get() and sent.event.deliveries.get().status == DeliveryStatus.SENT


def test_recipients_mix_users_groups_ids_and_querysets_once_each(django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    staff = Group.objects.create(name="staff")
    alice, _bob, carol, dave = user("alice"), user("bob"), user("carol"), user("dave")
    alice.groups.add(staff)
    everyone = get_user_model().objects.filter(username__in=["bob", "alice"])
    with django_capture_on_commit_callbacks(execute=True):
        notify("pinged", recipients=[alice, staff, carol.pk, everyone, Group.objects.filter(name="staff")], text="hi")
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["alice", "bob", "carol"]
    assert dave.pk not in Notification.objects.values_list("recipient_id", flat=True)


def test_per_channel_content_template_and_data(django_capture_on_commit_callbacks):
    alice = user("alice", email="alice@example.com")
    article = Article.objects.create(title="Engines")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            "published",
            recipients=[alice],
            action_object=article,
            channels=["InSiteMessenger", "TestMessenger"],
            content={"TestMessenger": {"subject": "Mail subject", "text": "Mail body"}},
            subject="Inbox title",
            data={"priority": 3},
            level="info",
        )
    inbox = Notification.objects.get()
    assert (inbox.title, inbox.data) == ("Inbox title", {"priority": 3, "level": "info"})
    [mail] = TestMessenger.outbox
    assert (mail.subject, mail.text, mail.data) == ("Mail subject", "Mail body", {"priority": 3, "level": "info"})
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        notify("published", recipients=alice, action_object=article, template="DefaultMessageTemplate", data={"k": 1})
    inbox = Notification.objects.get()
    assert "Engines" in inbox.title and inbox.data == {"k": 1}


def test_bad_arguments_raise_clear_errors_at_the_call():
    alice = user("alice")
    with pytest.raises(ValueError, match="No messenger is registered as 'Pigeon'"):
        notify("x", recipients=alice, channels=["Pigeon"])
    with pytest.raises(ValueError, match="No message template is registered as 'Nope'"):
        notify("x", recipients=alice, template="Nope")
    with pytest.raises(ValueError, match="Cannot notify 3.5"):
        notify("x", recipients=[3.5])
    with pytest.raises(ValueError, match="No backend 999"):
        notify("x", recipients=alice, backends=[999])
    with pytest.raises(ValueError, match="not sent to: TestMessenger"):
        notify("x", recipients=alice, content={"TestMessenger": {"text": "hi"}})
    with pytest.raises(ValueError, match="Unknown content part"):
        notify("x", recipients=alice, content={"InSiteMessenger": {"body": "hi"}})


def test_a_failing_channel_is_recorded_not_raised(django_capture_on_commit_callbacks):
    alice = user("alice")
    failing = Backend.objects.create(messenger="TestMessenger", options={"fail": "permanent"})
    with django_capture_on_commit_callbacks(execute=True):
        notify("pinged", recipients=alice, backends=[failing], text="hi")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "simulated permanent failure" in delivery.last_error


def test_notifications_hq_call_shape(django_capture_on_commit_callbacks):
    alice, bob = user("alice"), user("bob")
    article = Article.objects.create(title="Engines")
    with django_capture_on_commit_callbacks(execute=True):
        result = notify.send(bob, recipient=alice, verb="liked", action_object=article, description="Nice", color="red")
    assert result == []
    inbox = Notification.objects.get()
    assert (inbox.recipient, inbox.verb, inbox.title, inbox.body) == (alice, "liked", "bob liked Engines", "Nice")
    assert inbox.actor_text == "bob" and inbox.action_object_text == "Engines"
    assert inbox.data == {"color": "red"}
    assert inbox.event.snapshot["actor"]["pk"] == str(bob.pk)


@pytest.mark.parametrize("members", [3, 30])
def test_an_explicit_send_costs_the_same_queries_for_3_or_30_recipients(members, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = Group.objects.create(name="team")
    for number in range(members):
        user(f"member{number}").groups.add(team)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify("pinged", recipients=team, channels=["InSiteMessenger", "TestMessenger"], subject="Ping")
    with CaptureQueriesContext(connection) as queries:
        callbacks[0]()  # the fan-out: Event, recipients, inbox rows, Delivery rows (delivery is enqueued after)
    assert Notification.objects.count() == members
    assert Delivery.objects.count() == members
    assert len(queries) == EXPLICIT_FANOUT_QUERIES, [q["sql"] for q in queries]


def test_preferences_apply_to_explicit_sends_unless_mandatory(django_capture_on_commit_callbacks):
    from django_signal_notifier.preferences.rules import set_preference

    alice, bob = user("alice"), user("bob")
    set_preference(alice.pk, None, "TestMessenger", False)  # alice turned TestMessenger off everywhere
    with django_capture_on_commit_callbacks(execute=True):
        notify("pinged", recipients=[alice, bob], channels=["TestMessenger", "InSiteMessenger"], subject="Ping")
    assert [m.address for m in TestMessenger.outbox] == ["bob"]
    skipped = Delivery.objects.get(recipient=alice)
    assert (skipped.status, skipped.reason) == (DeliveryStatus.SKIPPED, "opted out")
    assert Notification.objects.filter(recipient=alice).count() == 1  # the inbox is still on
    TestMessenger.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify("reset", recipients=alice, channels=["TestMessenger"], subject="Reset", mandatory=True)
    assert [m.subject for m in TestMessenger.outbox] == ["Reset"]
