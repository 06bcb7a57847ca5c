"""Trigger conditions: created, eq/ne/in/not_in, changed/changed_to/changed_from, callables."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.models import Notification, Trigger
from django_signal_notifier.registry import condition
from tests.support.whomwhat import configure
from tests.testapp.models import Article, Quiet

pytestmark = pytest.mark.django_db

SEEN: list[Any] = []


@condition()
def is_urgent(event: Any) -> bool:
    SEEN.append(event)
    return bool(event.instance.priority >= 5)


@condition()
def explodes(event: Any) -> bool:
    raise RuntimeError("rule engine down")


@pytest.fixture
def reader() -> User:
    return User.objects.create_user("reader")


def notified() -> int:
    return Notification.objects.count()


def watch(reader: User, *conditions: dict[str, Any], verb: str = "post_save") -> Trigger:
    trigger, _, _ = configure(Article, verb=verb, conditions=list(conditions), users=[reader])
    return trigger


def test_created_is_true_only_on_creation(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"op": "created"})
    with run_on_commit():
        article = Article.objects.create(title="A")
    with run_on_commit():
        article.save()
    assert notified() == 1


def test_created_false_only_on_update(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"op": "created", "value": False})
    with run_on_commit():
        article = Article.objects.create(title="A")
    assert notified() == 0
    with run_on_commit():
        article.save()
    assert notified() == 1


def test_eq_ne_in_not_in(reader: User, run_on_commit: Any) -> None:
    watch(
        reader,
        {"field": "status", "op": "in", "value": ["published", "featured"]},
        {"field": "priority", "op": "eq", "value": "3"},  # coerced to the field's type
        {"field": "title", "op": "ne", "value": "secret"},
        {"field": "status", "op": "not_in", "value": ["featured"]},
    )
    with run_on_commit():
        Article.objects.create(title="A", status="published", priority=3)
        Article.objects.create(title="B", status="draft", priority=3)
        Article.objects.create(title="secret", status="published", priority=3)
        Article.objects.create(title="C", status="published", priority=2)
        Article.objects.create(title="D", status="featured", priority=3)
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["A"]


def test_eq_on_a_foreign_key_compares_its_id(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"field": "author", "op": "eq", "value": reader.pk})
    with run_on_commit():
        Article.objects.create(title="mine", author=reader)
        Article.objects.create(title="nobody's")
    assert notified() == 1


def test_changed_to_uses_the_loaded_values_without_a_query(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"field": "status", "op": "changed_to", "value": "published"})
    with run_on_commit():
        Article.objects.create(title="A")  # draft: no
    article = Article.objects.get(title="A")  # post_init remembers status
    article.status = "published"
    with CaptureQueriesContext(connection) as queries, run_on_commit():
        article.save()
    assert notified() == 1
    selects = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and "testapp_article" in q["sql"]
    ]
    assert selects == []  # the previous value came from the instance, not from a query
    with run_on_commit():
        article.title = "B"
        article.save()  # still published: not a change to published
    assert notified() == 1
    with run_on_commit():
        article.status = "draft"
        article.save()
        article.status = "published"
        article.save()
    assert notified() == 2


def test_changed_to_on_creation_counts_as_a_change(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"field": "status", "op": "changed_to", "value": "published"})
    with run_on_commit():
        Article.objects.create(title="A", status="published")
    assert notified() == 1


def test_changed_from_and_changed(reader: User, run_on_commit: Any) -> None:
    article = Article.objects.create(title="A")
    watch(reader, {"field": "status", "op": "changed_from", "value": "draft"}, {"field": "title", "op": "changed"})
    article = Article.objects.get(pk=article.pk)
    with run_on_commit():
        article.status = "published"
        article.save()  # title unchanged: no
    assert notified() == 0
    article = Article.objects.get(pk=article.pk)
    with run_on_commit():
        article.status = "draft"
        article.save()
    article = Article.objects.get(pk=article.pk)
    with run_on_commit():
        article.status, article.title = "review", "B"
        article.save()
    assert notified() == 1
    with run_on_commit():
        Article.objects.create(title="new", status="published")  # creation is never a change *from*
    assert notified() == 1


def test_deferred_field_costs_one_query_in_pre_save(reader: User, run_on_commit: Any) -> None:
    Article.objects.create(title="A")
    watch(reader, {"field": "status", "op": "changed_to", "value": "published"})
    article = Article.objects.only("title").get(title="A")  # status deferred: no snapshot of it
    article.status = "published"
    with CaptureQueriesContext(connection) as queries, run_on_commit():
        article.save()
    assert notified() == 1
    status = f"{connection.ops.quote_name('testapp_article')}.{connection.ops.quote_name('status')}"
    reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT") and status in q["sql"]]
    assert len(reads) == 1


def test_object_loaded_before_the_trigger_existed(reader: User, run_on_commit: Any) -> None:
    Article.objects.create(title="A")
    article = Article.objects.get(title="A")  # not tracked yet: no snapshot
    watch(reader, {"field": "status", "op": "changed_to", "value": "published"})
    article.status = "published"
    with run_on_commit():
        article.save()
    assert notified() == 1


def test_pre_save_trigger_sees_the_stored_value(reader: User, run_on_commit: Any) -> None:
    Article.objects.create(title="A")
    watch(reader, {"field": "status", "op": "changed_from", "value": "draft"}, verb="pre_save")
    article = Article.objects.get(title="A")
    article.status = "published"
    with run_on_commit():
        article.save()
    assert notified() == 1


def test_only_models_with_a_change_condition_pay_for_post_init(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"field": "status", "op": "changed_to", "value": "published"})
    with run_on_commit():
        Article.objects.create(title="A")  # builds the index
    assert post_init.has_listeners(Article)
    assert not post_init.has_listeners(Quiet)
    assert not post_init.has_listeners(User)


def test_callable_condition(reader: User, run_on_commit: Any) -> None:
    watch(reader, {"op": "callable", "value": f"{__name__}.is_urgent"})
    SEEN.clear()
    with run_on_commit():
        Article.objects.create(title="calm", priority=1)
        Article.objects.create(title="urgent", priority=9)
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["urgent"]
    assert SEEN[0].verb == "post_save" and SEEN[0].created is True


def test_a_raising_callable_is_no_match_and_logged(reader: User, run_on_commit: Any, caplog: Any) -> None:
    trigger = watch(reader, {"op": "callable", "value": f"{__name__}.explodes"})
    with run_on_commit():
        Article.objects.create(title="A")  # does not raise
    assert notified() == 0
    assert any("raised" in r.getMessage() and str(trigger.pk) in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (
            [{"field": "stauts", "op": "eq", "value": "x"}],
            "Condition 1: testapp.Article has no field 'stauts'; its fields are id, title",
        ),
        (
            [{"field": "status", "op": "like", "value": "x"}],
            "Condition 1: unknown op 'like'; choose one of created, eq",
        ),
        ([{"field": "priority", "op": "eq", "value": "high"}], "Condition 1: bad value type for priority: 'high'"),
        ([{"field": "priority", "op": "in", "value": 3}], "in takes a list of values, not 3"),
        ([{"field": "status", "op": "eq"}], 'eq needs "value"'),
        ([{"field": "status", "op": "changed", "value": 1}], "changed takes no value"),
        ([{"field": "followers", "op": "eq", "value": 1}], "'followers' is not a column of testapp.Article"),
        (
            [{"op": "callable", "value": "tests.nowhere.rule"}],
            "no condition callable is registered as 'tests.nowhere.rule'",
        ),
        ([{"op": "created"}, {"field": "status", "opp": "eq"}], "Condition 2: unknown keys opp"),
        ({"op": "created"}, "Conditions must be a list of objects."),
        (["created"], 'Condition 1: must be an object like {"field"'),
    ],
)
def test_validation_errors(conditions: Any, expected: str) -> None:
    trigger = Trigger(verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article))
    trigger.conditions = conditions
    with pytest.raises(ValidationError) as caught:
        trigger.full_clean()
    assert expected in " ".join(caught.value.message_dict["conditions"])


def test_created_needs_post_save() -> None:
    trigger = Trigger(verb="post_delete", action_object_content_type=ContentType.objects.get_for_model(Article))
    trigger.conditions = [{"op": "created"}]
    with pytest.raises(ValidationError) as caught:
        trigger.full_clean()
    assert "created is only sent by post_save, not by post_delete" in caught.value.message_dict["conditions"][0]


def test_field_conditions_need_a_sender_model() -> None:
    trigger = Trigger(verb="post_save", conditions=[{"field": "status", "op": "eq", "value": "x"}])
    with pytest.raises(ValidationError) as caught:
        trigger.full_clean()
    assert "needs the trigger's sender model" in caught.value.message_dict["conditions"][0]


def test_admin_shows_condition_errors(admin_client: Any) -> None:
    content_type = ContentType.objects.get_for_model(Article)
    response = admin_client.post(
        "/admin/django_signal_notifier/trigger/add/",
        {
            "verb": "post_save",
            "action_object_content_type": content_type.pk,
            "conditions-rows": "3",
            **{"conditions-0-field": "stauts", "conditions-0-op": "eq", "conditions-0-value": "x"},
            **{"conditions-1-field": "priority", "conditions-1-op": "eq", "conditions-1-value": "high"},
            "enabled": "on",
            "subscriptions-TOTAL_FORMS": "0",
            "subscriptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Condition 1: testapp.Article has no field" in page
    assert "Condition 2: bad value type for priority" in page
    assert not Trigger.objects.exists()


def test_a_condition_broken_after_save_never_breaks_save(
    reader: User, run_on_commit: Any, caplog: Any, admin_client: Any
) -> None:
    trigger = watch(reader, {"field": "status", "op": "eq", "value": "published"})
    Trigger.objects.filter(pk=trigger.pk).update(conditions=[{"field": "gone", "op": "eq", "value": "x"}])
    with run_on_commit():
        Article.objects.create(title="A", status="published")  # does not raise, does not match
    assert notified() == 0
    assert any("has no field 'gone'" in problem for problem in trigger_index.problems)
    assert any("has no field 'gone'" in r.getMessage() for r in caplog.records)
    page = admin_client.get("/admin/django_signal_notifier/trigger/").content.decode()
    assert "has no field" in page  # the changelist's problems column
    with pytest.raises(Exception) as caught:
        call_command("check", databases=["default"], fail_level="WARNING")
    assert "signal_notifier.W020" in str(caught.value)
