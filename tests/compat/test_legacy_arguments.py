"""A 0.2.1 messenger gets what 0.2.1 gave it: live objects, the signal's kwargs, users=[] when nobody, class actors."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.dispatch import Signal

from django_signal_notifier import register_signal
from django_signal_notifier.events import live
from django_signal_notifier.messengers import Add_Messenger, BaseMessenger
from django_signal_notifier.models import Subscription, Trigger
from django_signal_notifier.rendering import SimplePrintMessageTemplate
from django_signal_notifier.rendering.render import SnapshotObject
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

movie_released = register_signal("movie_released", Signal())


class AudienceMessenger(BaseMessenger):
    """0.2.1's documented pattern: the messenger reads the signal's objects, picks users itself."""

    calls: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def send(cls, template, users, trigger_context, signal_kwargs):  # type: ignore[no-untyped-def]
        cls.calls.append({"users": list(users), "context": dict(trigger_context), "kwargs": dict(signal_kwargs)})


Add_Messenger(AudienceMessenger)


@pytest.fixture(autouse=True)
def _clear() -> None:
    AudienceMessenger.calls.clear()


def test_the_signal_s_objects_arrive_live_in_the_sending_process():
    article = Article.objects.create(title="Dune")
    subscribe("movie_released", Article, users=[user("ann")], messenger="AudienceMessenger")
    movie_released.send(sender=Article, instance=article, movie=article, rating=5)
    [call] = AudienceMessenger.calls
    assert call["kwargs"]["movie"] is article  # the very object: signal_kwargs['movie'].audiences works
    assert call["kwargs"]["rating"] == 5 and call["kwargs"]["instance"] is article
    assert call["context"]["action_object"] is article


def test_a_worker_elsewhere_gets_the_objects_reloaded_or_their_stand_in_when_gone(settings):
    from django_signal_notifier.taskapi import task_backends

    settings.TASKS = {
        "default": {"BACKEND": f"{type(task_backends['default']).__module__}.ImmediateBackend"},
        "hold": {"BACKEND": f"{type(task_backends['default']).__module__.rsplit('.', 1)[0]}.dummy.DummyBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "hold", "FANOUT_RESUME_AFTER": 0}
    kept, gone = Article.objects.create(title="Kept"), Article.objects.create(title="Gone")
    subscribe("movie_released", Article, users=[user("ann")], messenger="AudienceMessenger")
    movie_released.send(sender=Article, instance=kept, movie=kept, sequel=gone)
    live._events.clear()  # as in another process: nothing live
    gone_key = gone.pk
    gone.delete()
    call_command("signal_notifier", "redrive", verbosity=0)
    [call] = AudienceMessenger.calls
    assert isinstance(call["kwargs"]["movie"], Article) and call["kwargs"]["movie"].pk == kept.pk
    sequel = call["kwargs"]["sequel"]
    assert isinstance(sequel, SnapshotObject) and str(sequel) == "Gone" and sequel.pk == gone_key  # typed key


def test_pre_save_of_a_new_object_gets_the_object_and_the_kwargs():
    subscribe("pre_save", Article, users=[user("ann")], messenger="AudienceMessenger")
    article = Article(title="Fresh")
    article.save()
    [call] = AudienceMessenger.calls
    assert call["context"]["action_object"] is article  # not a string
    assert call["kwargs"]["instance"] is article and call["kwargs"]["raw"] is False


def test_pre_delete_gives_the_object_with_its_real_key():
    article = Article.objects.create(title="Doomed")
    key = article.pk
    subscribe("pre_delete", Article, users=[user("ann")], messenger="AudienceMessenger")
    article.delete()
    [call] = AudienceMessenger.calls
    assert call["kwargs"]["instance"].pk == key and isinstance(call["kwargs"]["instance"].pk, int)


def test_a_subscription_without_receivers_calls_the_messenger_with_no_users():
    subscription = subscribe("post_save", Article, messenger="AudienceMessenger")
    assert not subscription.receiver_users.exists() and not subscription.receiver_groups.exists()
    Article.objects.create(title="Anyone")
    [call] = AudienceMessenger.calls
    assert call["users"] == []


def test_an_actor_sent_as_a_model_class_matches_a_trigger_on_that_class():
    User = get_user_model()
    trigger = Trigger.objects.create(
        verb="movie_released",
        action_object_content_type=ContentType.objects.get_for_model(Article),
        actor_object_content_type=ContentType.objects.get_for_model(User),
    )
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.create(messenger="AudienceMessenger")
    subscription.receiver_users.add(user("ann"))
    article = Article.objects.create(title="Classy")
    movie_released.send(sender=Article, instance=article, actor=User)
    movie_released.send(sender=Article, instance=article, actor=Article)  # another class: no match
    assert len(AudienceMessenger.calls) == 1


def test_simple_print_template_rendered_the_0_2_1_way_shows_the_object():
    article = Article.objects.create(title="Shown")
    text = SimplePrintMessageTemplate().render(
        user=user("ann"), trigger_context={"verb": "pre_save", "action_object": article}, signal_kwargs={}
    )
    assert text == "[django-signal-notifier] pre_save on article “Shown” for ann"
