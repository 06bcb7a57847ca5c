"""The signal engine: matching, signals, dedup, fan-out, robustness."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.dispatch import Signal
from django.test import RequestFactory

from django_signal_notifier import acting_as, register_signal
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.models import Delivery, DeliveryStatus, Event, Trigger
from django_signal_notifier.quickstart.models import TestModel1, TestModel2
from tests.support.factories import subscribe, user
from tests.testapp.models import Article, SlugThing, Tag, UUIDThing

pytestmark = pytest.mark.django_db


def test_post_save_delivers_to_each_user_once(recorded, django_capture_on_commit_callbacks):
    alice, bob = user("alice"), user("bob")
    subscribe("post_save", Article, users=[alice, bob])
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="Hello")
    assert sorted(m.address for m in recorded) == ["alice", "bob"]
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert Event.objects.get().verb == "post_save"


def test_trigger_made_by_objects_create_fires_at_once(recorded, django_capture_on_commit_callbacks):
    alice = user("alice")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="before")  # builds the index with no trigger
    subscribe("post_save", Article, users=[alice])
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="after")
    assert len(recorded) == 1
    assert "after" in recorded[0].text


def test_other_models_do_not_fire(recorded, django_capture_on_commit_callbacks):
    subscribe("post_save", TestModel1, users=[user("alice")])
    with django_capture_on_commit_callbacks(execute=True):
        TestModel2.objects.create(name="x")
    assert recorded == []
    assert Event.objects.count() == 0


def test_no_duplicate_for_a_user_in_two_groups_and_the_users_list(recorded, django_capture_on_commit_callbacks):
    alice, bob = user("alice"), user("bob")
    editors, writers = Group.objects.create(name="editors"), Group.objects.create(name="writers")
    alice.groups.add(editors, writers)
    bob.groups.add(writers)
    subscribe("post_save", Article, users=[alice], groups=[editors, writers])
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="x")
    assert sorted(m.address for m in recorded) == ["alice", "bob"]


def test_inactive_users_receive_nothing(recorded, django_capture_on_commit_callbacks):
    subscribe("post_save", Article, users=[user("alice"), user("ghost", is_active=False)])
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="x")
    assert [m.address for m in recorded] == ["alice"]


def test_empty_sender_matches_any_model_and_several_triggers_match_one_send(
    recorded, django_capture_on_commit_callbacks
):
    alice = user("alice")
    subscribe("post_save", None, users=[alice])
    subscribe("post_save", Article, users=[alice], messenger="RecordingMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="x")
    # two triggers, two backends: one message per backend, one Event for the send
    assert len(recorded) == 2
    assert Event.objects.count() == 1


def test_disabling_deleting_and_queryset_update_take_effect_at_once(recorded, django_capture_on_commit_callbacks):
    subscription = subscribe("post_save", Article, users=[user("alice")])
    trigger = subscription.trigger
    Trigger.objects.filter(pk=trigger.pk).update(enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="disabled")
    assert recorded == []
    Trigger.objects.filter(pk=trigger.pk).update(enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="enabled")
    assert len(recorded) == 1
    trigger.delete()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="deleted")
    assert len(recorded) == 1


def test_disabled_subscription_sends_nothing(recorded, django_capture_on_commit_callbacks):
    subscription = subscribe("post_save", Article, users=[user("alice")])
    subscription.enabled = False
    subscription.save()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="x")
    assert recorded == []


@pytest.mark.parametrize(
    ("model", "make", "stored_id"),
    [
        (Article, lambda: Article.objects.create(title="int"), lambda obj: f"00{obj.pk}"),
        (
            UUIDThing,
            lambda: UUIDThing.objects.create(id=uuid.UUID("12345678-1234-5678-1234-567812345678"), name="u"),
            lambda obj: obj.pk.hex.upper(),  # same UUID, written another way
        ),
        (SlugThing, lambda: SlugThing.objects.create(slug="the-slug", name="s"), lambda obj: "the-slug"),
    ],
)
def test_instance_trigger_matches_its_object_only_also_after_a_restart(
    recorded, django_capture_on_commit_callbacks, model, make, stored_id
):
    target = make()
    subscribe("post_save", model, users=[user("alice")], action_object_id=stored_id(target))
    # a restart: a brand-new index built from what the database stores
    trigger_index.invalidate()
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    assert len(recorded) == 1
    other = model(
        **(
            {"slug": "other", "name": "o"}
            if model is SlugThing
            else {"name": "o"}
            if model is UUIDThing
            else {"title": "o"}
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        other.save()
    assert len(recorded) == 1


def test_actor_filter_and_acting_as(recorded, django_capture_on_commit_callbacks):
    alice, bob = user("alice"), user("bob")
    user_ct = ContentType.objects.get_for_model(get_user_model())
    subscribe("post_save", Article, users=[alice], actor_object_content_type=user_ct, actor_object_id=str(bob.pk))
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="nobody")
        with acting_as(alice):
            Article.objects.create(title="by alice")
        with acting_as(bob):
            Article.objects.create(title="by bob")
    assert len(recorded) == 1
    assert "bob" in recorded[0].text and "by bob" in recorded[0].text


def test_target_filter_on_a_custom_signal(recorded, django_capture_on_commit_callbacks):
    published = register_signal("article_published", Signal())
    alice = user("alice")
    article = Article.objects.create(title="A")
    subscribe("article_published", Article, users=[alice], target="testapp.tag")
    tag = Tag.objects.create(name="news")
    with django_capture_on_commit_callbacks(execute=True):
        published.send(sender=Article, instance=article, target=tag)
        published.send(sender=Article, instance=article, target="somewhere else")
        published.send(sender=Article, instance=article)
    assert len(recorded) == 1


@pytest.mark.parametrize("verb", ["pre_save", "post_save", "pre_delete", "post_delete"])
def test_model_signals(recorded, django_capture_on_commit_callbacks, verb):
    subscribe(verb, Article, users=[user("alice")])
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(title="x")
        article.delete()
    assert len(recorded) == 1
    assert Event.objects.get().verb == verb


def test_m2m_changed_matches_the_changed_model(recorded, django_capture_on_commit_callbacks):
    subscribe("m2m_changed", Tag, users=[user("alice")])
    tag = Tag.objects.create(name="t")
    article = Article.objects.create(title="a")
    with django_capture_on_commit_callbacks(execute=True):
        tag.articles.add(article)
    # pre_add and post_add are two sends of m2m_changed
    assert len(recorded) == 2
    assert {e.snapshot["kwargs"]["action"] for e in Event.objects.all()} == {"pre_add", "post_add"}


def test_auth_signals(recorded, django_capture_on_commit_callbacks):
    alice = user("alice")
    user_model = get_user_model()
    for verb in ("user_logged_in", "user_logged_out"):
        subscribe(verb, user_model, users=[alice])
    subscribe("user_login_failed", None, users=[alice])
    request = RequestFactory().get("/")
    with django_capture_on_commit_callbacks(execute=True):
        user_logged_in.send(sender=user_model, request=request, user=alice)
        user_logged_out.send(sender=user_model, request=request, user=alice)
        user_login_failed.send(sender=__name__, credentials={"username": "alice", "password": "wrong"}, request=request)
    assert len(recorded) == 3
    failed = Event.objects.get(verb="user_login_failed")
    assert "wrong" not in str(failed.snapshot), "a password must never reach the event log"
    logged_in = Event.objects.get(verb="user_logged_in")
    assert logged_in.snapshot["actor"]["pk"] == str(alice.pk)


def test_template_context_names_everything(django_capture_on_commit_callbacks, recorded):
    from django_signal_notifier.rendering import MessageTemplate, register_message_template

    @register_message_template
    class EverythingTemplate(MessageTemplate):
        template_string = (
            "verb={{ verb }} signal={{ signal }} sender={{ sender }} instance={{ instance }} actor={{ actor }} "
            "target={{ target }} recipient={{ recipient }} trigger={{ trigger.id }} subscription={{ subscription.id }} "
            "extra={{ extra }} kwargs={{ kwargs.extra }} created={{ created }}"
        )

    published = register_signal("article_shared", Signal())
    alice, bob = user("alice"), user("bob")
    subscription = subscribe("article_shared", Article, users=[alice], template="EverythingTemplate")
    article = Article.objects.create(title="T")
    with django_capture_on_commit_callbacks(execute=True):
        published.send(sender=Article, instance=article, actor=bob, target="home", extra="E")
    text = recorded[0].text
    assert f"trigger={subscription.trigger_id} subscription={subscription.pk}" in text
    for part in (
        "verb=article_shared",
        "signal=article_shared",
        "instance=T",
        "actor=bob",
        "target=home",
        "recipient=alice",
        "extra=E",
        "kwargs=E",
        "sender=testapp.article",
    ):
        assert part in text


def test_raw_saves_from_fixtures_are_not_events(recorded, django_capture_on_commit_callbacks):
    from django.db.models.signals import post_save

    subscribe("post_save", Article, users=[user("alice")])
    article = Article.objects.create(title="x")
    recorded.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_save.send(sender=Article, instance=article, created=True, raw=True, using="default", update_fields=None)
    assert recorded == []


def test_the_engine_reads_no_configuration_while_migrate_runs(recorded, django_capture_on_commit_callbacks):
    """Between two migrations the schema is half-way: the index must not query it then."""
    from django.apps import apps
    from django.db import connection
    from django.db.models.signals import post_migrate, pre_migrate
    from django.test.utils import CaptureQueriesContext

    subscribe("post_save", Article, users=[user("alice")])
    config = apps.get_app_config("django_signal_notifier")
    pre_migrate.send(
        sender=config, app_config=config, verbosity=0, interactive=False, using="default", apps=apps, plan=[]
    )
    try:
        trigger_index.invalidate()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            Article.objects.create(title="during migrate")
        assert not any("django_signal_notifier" in q["sql"] for q in queries.captured_queries)
        assert recorded == []
    finally:
        post_migrate.send(
            sender=config, app_config=config, verbosity=0, interactive=False, using="default", apps=apps, plan=[]
        )
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="after migrate")
    assert len(recorded) == 1
