"""Mutes in the fan-out: a user who muted an object or thread gets nothing about it, on any channel.

The mutes ride in the recipient query (an anti-join): no query of their own, whatever the audience.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

import django_signal_notifier
from django_signal_notifier import notify
from django_signal_notifier.models import Delivery, Mute, Notification
from tests.support.prefs import configure, make_user, recorded_messages, save_article
from tests.testapp.models import Article, Tag

pytestmark = pytest.mark.django_db
sent = recorded_messages
CHANNELS = ("EmailRecordingMessenger", "InSiteMessenger")


def mute(user: Any, obj: Any) -> Mute:
    return Mute.objects.mute(user, ContentType.objects.get_for_model(obj).pk, str(obj.pk), str(obj))


def test_a_muted_object_reaches_the_muting_user_on_no_channel(
    django_capture_on_commit_callbacks: Any, sent: Any
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    configure([alice, bob], messengers=CHANNELS)
    article = save_article(django_capture_on_commit_callbacks, "First")
    mute(alice, article)
    sent.clear()
    save_article(django_capture_on_commit_callbacks, "Second", article=article)
    assert [m.recipient for m in sent] == [bob]
    assert Notification.objects.filter(recipient=alice).count() == 1  # the one before the mute
    assert Notification.objects.filter(recipient=bob).count() == 2
    # Left out, not skipped: nothing about the muted object is written for alice.
    assert (
        not Delivery.objects.filter(recipient=alice, event__notifications__isnull=True)
        .exclude(event=Notification.objects.get(recipient=alice).event)
        .exists()
    )
    # Another article still reaches her.
    save_article(django_capture_on_commit_callbacks, "Other")
    assert Notification.objects.filter(recipient=alice).count() == 2


def test_follow_undoes_the_mute(django_capture_on_commit_callbacks: Any, sent: Any) -> None:
    alice = make_user("alice")
    configure([alice], messengers=CHANNELS)
    article = save_article(django_capture_on_commit_callbacks, "First")
    mute(alice, article)
    assert Mute.objects.follow(alice, ContentType.objects.get_for_model(article).pk, str(article.pk)) == 1
    sent.clear()
    save_article(django_capture_on_commit_callbacks, "Second", article=article)
    assert [m.recipient for m in sent] == [alice]


def test_dynamic_receivers_leave_out_the_muting_users_too(django_capture_on_commit_callbacks: Any, sent: Any) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    subscription = configure([], messengers=CHANNELS, receiver_callable="tests.fanout.test_mutes.everyone")
    assert subscription.receiver_callable
    article = save_article(django_capture_on_commit_callbacks, "First")
    mute(bob, article)
    sent.clear()
    save_article(django_capture_on_commit_callbacks, "Second", article=article)
    assert [m.recipient for m in sent] == [alice]
    assert Notification.objects.filter(recipient=bob).count() == 1


@django_signal_notifier.receiver("tests.fanout.test_mutes.everyone")
def everyone(view: Any) -> Any:
    """A receiver callable: every user."""
    return get_user_model().objects.all()


def test_a_mandatory_subscription_ignores_mutes(django_capture_on_commit_callbacks: Any, sent: Any) -> None:
    alice = make_user("alice")
    configure([alice], messengers=CHANNELS, mandatory=True)
    article = save_article(django_capture_on_commit_callbacks, "First")
    mute(alice, article)
    sent.clear()
    save_article(django_capture_on_commit_callbacks, "Second", article=article)
    assert [m.recipient for m in sent] == [alice]


def test_an_explicit_send_about_a_muted_thread_skips_the_muting_user(django_capture_on_commit_callbacks: Any) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    thread = Tag.objects.create(name="release planning")
    mute(alice, thread)
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(title="unrelated")  # no trigger: nothing sent
        notify("commented", recipients=[alice, bob], action_object=article, target=thread, subject="New comment")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["bob"]
    with django_capture_on_commit_callbacks(execute=True):
        notify("commented", recipients=[alice], target=thread, subject="Mandatory", mandatory=True)
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_mutes_cost_no_query_of_their_own(django_capture_on_commit_callbacks: Any) -> None:
    users = [make_user(f"user{i}") for i in range(30)]
    configure(users, messengers=("InSiteMessenger",))
    article = save_article(django_capture_on_commit_callbacks, "First")

    def queries_of_a_save() -> int:
        with CaptureQueriesContext(connection) as queries:
            save_article(django_capture_on_commit_callbacks, "Again", article=article)
        return len(queries)

    unmuted = queries_of_a_save()
    for user in users[::3]:
        mute(user, article)
    assert queries_of_a_save() == unmuted
    assert Notification.objects.filter(event__isnull=False).count() == 30 + 30 + 20
