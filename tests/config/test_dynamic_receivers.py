"""Dynamic receivers: field paths and callables, in union with users and groups, set-based."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.models import Delivery, DeliveryStatus, Notification, Subscription
from django_signal_notifier.registry import receiver
from tests.support.whomwhat import configure
from tests.testapp.models import Article, Comment

pytestmark = pytest.mark.django_db

RECEIVED: list[Any] = []


@receiver()
def followers_of_article(view: Any) -> Any:
    """A receiver callable returning a queryset."""
    RECEIVED.append(view)
    return User.objects.filter(followed_articles=view.instance.article)


@receiver()
def fixed_users(view: Any) -> list[Any]:
    """A receiver callable returning users and ids mixed."""
    return [User.objects.get(username="u1"), User.objects.get(username="u2").pk]


@receiver()
def broken_callable(view: Any) -> Any:
    raise RuntimeError("the receivers service is down")


@receiver()
def queryset_failing_in_the_database(view: Any) -> Any:
    return User.objects.extra(where=["no_such_column = 1"])


@receiver()
def articles_not_users(view: Any) -> Any:
    return Article.objects.all()


def inbox(user: Any = None) -> list[int]:
    rows = Notification.objects.all() if user is None else Notification.objects.filter(recipient=user)
    return sorted(rows.values_list("recipient_id", flat=True))


def users(*names: str) -> list[User]:
    return [User.objects.create_user(name) for name in names]


def test_author_field_path_costs_no_query_and_reaches_the_author(run_on_commit: Any) -> None:
    author, other = users("author", "other")
    configure(Article, receiver_field_paths=["author"])
    with run_on_commit():
        Article.objects.create(title="A", author=author)
    assert inbox() == [author.pk]


def test_chained_fk_and_m2m_path_from_a_comment(run_on_commit: Any) -> None:
    author, f1, f2, stranger = users("author", "f1", "f2", "stranger")
    article = Article.objects.create(title="A", author=author)
    article.followers.add(f1, f2)
    configure(Comment, receiver_field_paths=["article.author", "article.followers"])
    with run_on_commit():
        Comment.objects.create(article=article, text="hi")
    assert inbox() == sorted([author.pk, f1.pk, f2.pk])


def test_reverse_fk_path_and_m2m_on_the_instance(run_on_commit: Any) -> None:
    author, c1, c2, follower = users("author", "c1", "c2", "follower")
    article = Article.objects.create(title="A", author=author)
    Comment.objects.create(article=article, author=c1)
    Comment.objects.create(article=article, author=c2)
    Comment.objects.create(article=article, author=c2)  # twice: still one message
    article.followers.add(follower)
    configure(Article, receiver_field_paths=["comments.author", "followers"])
    with run_on_commit():
        article.title = "B"
        article.save()
    assert inbox() == sorted([c1.pk, c2.pk, follower.pk])


def test_union_with_users_and_groups_deduplicated_and_actor_excluded(run_on_commit: Any) -> None:
    author, listed, member, both = users("author", "listed", "member", "both")
    group = Group.objects.create(name="editors")
    member.groups.add(group)
    both.groups.add(group)
    _, sub, _ = configure(
        Article, receiver_field_paths=["author", "followers"], exclude_actor=True, users=[listed, both]
    )
    sub.receiver_groups.add(group)
    article = Article.objects.create(title="A", author=author)
    article.followers.add(both, author)
    with run_on_commit(), acting_as(author):
        article.save()
    assert inbox() == sorted([listed.pk, member.pk, both.pk])  # author acted, so is left out


def test_actor_kept_without_exclude_actor(run_on_commit: Any) -> None:
    (author,) = users("author")
    configure(Article, receiver_field_paths=["author"])
    with run_on_commit(), acting_as(author):
        Article.objects.create(title="A", author=author)
    assert inbox() == [author.pk]


def test_inactive_users_are_left_out(run_on_commit: Any) -> None:
    author, gone = users("author", "gone")
    gone.is_active = False
    gone.save()
    article = Article.objects.create(title="A", author=author)
    article.followers.add(gone)
    configure(Article, receiver_field_paths=["author", "followers"])
    with run_on_commit():
        article.save()
    assert inbox() == [author.pk]


def test_callable_returning_a_queryset(run_on_commit: Any) -> None:
    f1, f2, stranger = users("f1", "f2", "stranger")
    article = Article.objects.create(title="A")
    article.followers.add(f1, f2)
    configure(Comment, receiver_callable=f"{__name__}.followers_of_article")
    RECEIVED.clear()
    with run_on_commit():
        comment = Comment.objects.create(article=article)
    assert inbox() == sorted([f1.pk, f2.pk])
    assert RECEIVED[0].instance == comment and RECEIVED[0].verb == "post_save"


def test_callable_returning_users_and_ids_with_a_path(run_on_commit: Any) -> None:
    u1, u2, author = users("u1", "u2", "author")
    configure(Article, receiver_callable=f"{__name__}.fixed_users", receiver_field_paths=["author"])
    with run_on_commit():
        Article.objects.create(title="A", author=author)
    assert inbox() == sorted([u1.pk, u2.pk, author.pk])


@pytest.mark.parametrize(
    ("callable_name", "expected"),
    [
        ("broken_callable", "the receivers service is down"),
        ("articles_not_users", "not of users"),
        ("queryset_failing_in_the_database", "no_such_column"),
    ],
)
def test_a_failing_callable_never_breaks_save_and_is_recorded(
    run_on_commit: Any, callable_name: str, expected: str, caplog: Any
) -> None:
    (listed,) = users("listed")
    _, sub, backend = configure(Article, receiver_callable=f"{__name__}.{callable_name}", users=[listed])
    sub.name = "followers"
    sub.save()
    with run_on_commit():
        Article.objects.create(title="A")  # does not raise
    assert inbox() == [listed.pk]  # the static receivers still get it
    dead = Delivery.objects.get(status=DeliveryStatus.DEAD)
    assert dead.recipient_id is None and dead.backend_id == backend.pk and dead.subscription_id == sub.pk
    assert expected in dead.last_error and "followers" in dead.last_error and callable_name in dead.last_error
    assert any("followers" in r.getMessage() and callable_name in r.getMessage() for r in caplog.records)


def test_a_path_that_breaks_at_run_time_is_recorded(run_on_commit: Any) -> None:
    author, listed = users("author", "listed")
    _, sub, _ = configure(Article, receiver_field_paths=["author"], users=[listed])
    Subscription.objects.filter(pk=sub.pk).update(receiver_field_paths=["author", "editor.friends"])
    with run_on_commit():
        Article.objects.create(title="A", author=author)
    assert inbox() == sorted([author.pk, listed.pk])
    dead = Delivery.objects.get(status=DeliveryStatus.DEAD)
    assert "editor.friends" in dead.last_error and "no relation 'editor'" in dead.last_error
    assert dead.reason == "configuration error"


def test_paths_are_validated_against_the_trigger_model() -> None:
    with pytest.raises(ValidationError) as caught:
        configure(Article, receiver_field_paths=["folowers", "title", "tags", "author.groups"])
    messages = caught.value.message_dict["receiver_field_paths"]
    assert "folowers: testapp.Article has no relation 'folowers'" in messages[0]
    assert "followers" in messages[0]  # the choices are listed
    assert "title: testapp.Article.title is not a relation" in messages[1]
    assert "tags leads to testapp.Tag, not to users (auth.User)" in messages[2]
    assert "author.groups leads to auth.Group" in messages[3]


def test_paths_need_a_list_and_callables_must_import() -> None:
    with pytest.raises(ValidationError) as caught:
        configure(Article, receiver_field_paths="author", receiver_callable="tests.nowhere.function")
    assert "Give a list of dotted paths" in caught.value.message_dict["receiver_field_paths"][0]
    assert "is registered as 'tests.nowhere.function'" in caught.value.message_dict["receiver_callable"][0]


def test_admin_shows_path_errors(admin_client: Any) -> None:
    trigger, sub, backend = configure(Article)
    response = admin_client.post(
        f"/admin/django_signal_notifier/subscription/{sub.pk}/change/",
        {
            "trigger": trigger.pk,
            "backends": [backend.pk],
            "receiver_field_paths": '["article.followers"]',
            "receiver_callable": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert "article.followers: testapp.Article has no relation" in response.content.decode()


@override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 60, "BATCH_SIZE": 5000})
@pytest.mark.parametrize("channel", ["InSiteMessenger", "SimplePrintMessengerTemplateBased"])
def test_queries_do_not_grow_with_dynamic_receivers(run_on_commit: Any, channel: str, capsys: Any) -> None:
    """10 and 1,000 followers through article.followers (M2M): the same number of queries.

    BATCH_SIZE is raised above 1,000 so both fan-outs are one batch (a batch is one bulk write).
    On SQLite, Django splits one bulk_create or in_bulk into statements of at most 999
    parameters; those chunks of one bulk operation are counted once there. On PostgreSQL every
    statement is counted.
    """
    configure(Comment, messenger=channel, receiver_field_paths=["article.followers"])
    small = _fan_out_queries(10, run_on_commit, channel)
    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    large = _fan_out_queries(1000, run_on_commit, channel)
    assert len(small) == len(large), (small, large)
    # savepoint, Event insert, recipients (one query, M2M path included), the recipients' opt-outs
    # (one query), users for a per-recipient template (SimplePrint names the recipient), one bulk
    # write, release.
    assert len(small) <= 7, small
    assert sum("followers" in sql for sql in large) == 1, large  # the M2M path: one subquery of one query


def _bulk_writes(statements: list[str]) -> list[str]:
    """Statements, with the chunks Django splits one bulk operation into on SQLite counted once.

    Chunks are consecutive statements equal up to their parameter list: the INSERTs of one
    bulk_create, or the ``IN (...)`` SELECTs of one in_bulk.
    """
    collapsed: list[str] = []
    previous_shape = None
    for sql in statements:
        shape = sql.split(" VALUES ", 1)[0].split(" IN (", 1)[0]
        if shape != previous_shape:
            collapsed.append(sql)
        previous_shape = shape
    return collapsed


def _fan_out_queries(count: int, run_on_commit: Any, channel: str) -> list[str]:
    from django_signal_notifier.fanout import chain as fanout

    created = User.objects.bulk_create([User(username=f"c{count}-{i}") for i in range(count)])
    article = Article.objects.create(title="A")
    article.followers.add(*created)
    with run_on_commit():
        Comment.objects.create(article=article, text="warm-up")
    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    counted: list[list[str]] = []
    original = fanout.run_chunk

    def measured(*args: Any, **kwargs: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            result = original(*args, **kwargs)
        statements = [q["sql"] for q in queries.captured_queries]
        counted.append(_bulk_writes(statements) if connection.vendor == "sqlite" else statements)
        return result

    fanout.run_chunk = measured  # type: ignore[assignment]
    try:
        with run_on_commit():
            Comment.objects.create(article=article, text="counted")
    finally:
        fanout.run_chunk = original  # type: ignore[assignment]
    if channel == "InSiteMessenger":
        assert Notification.objects.count() == count
    else:
        assert Delivery.objects.filter(recipient__in=created).count() == count
    return counted[0]


def test_declared_in_code_with_paths_and_conditions(run_on_commit: Any) -> None:
    from django_signal_notifier import declare
    from django_signal_notifier.exceptions import ConfigurationError

    author, follower = users("author", "follower")
    d = declare.Declarer()
    trigger = d.trigger(
        "published",
        verb="post_save",
        model="testapp.Article",
        conditions=[{"field": "status", "op": "changed_to", "value": "published"}],
    )
    inbox = d.backend("inbox", messenger="InSiteMessenger")
    d.subscription("to-followers", trigger=trigger, backends=[inbox], receiver_field_paths=["author", "followers"])
    article = Article.objects.create(title="A", author=author)
    article.followers.add(follower)
    with run_on_commit():
        article.status = "published"
        article.save()
    assert inbox_ids() == sorted([author.pk, follower.pk])
    with pytest.raises(ConfigurationError, match="has no field 'stauts'"):
        d.trigger("bad", verb="post_save", model="testapp.Article", conditions=[{"field": "stauts", "op": "changed"}])
    with pytest.raises(ConfigurationError, match="no relation 'folowers'"):
        d.subscription("bad", trigger=trigger, backends=[inbox], receiver_field_paths=["folowers"])


def inbox_ids() -> list[int]:
    return inbox()


def _trigger_with_inline(admin_client: Any, paths: str) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from django_signal_notifier.models import Backend

    backend = Backend.objects.create(messenger="InSiteMessenger")
    return admin_client.post(
        "/admin/django_signal_notifier/trigger/add/",
        {
            "verb": "post_save",
            "action_object_content_type": ContentType.objects.get_for_model(Comment).pk,
            "conditions": "[]",
            "enabled": "on",
            "subscriptions-TOTAL_FORMS": "1",
            "subscriptions-INITIAL_FORMS": "0",
            "subscriptions-0-name": "to followers",
            "subscriptions-0-backends": [backend.pk],
            "subscriptions-0-receiver_field_paths": paths,
            "subscriptions-0-receiver_callable": "",
            "subscriptions-0-enabled": "on",
            "subscriptions-0-digest_seconds": "0",
            "subscriptions-0-throttle_seconds": "0",
            "subscriptions-0-group_by": "verb_object",
        },
    )


def test_admin_checks_inline_paths_against_the_new_trigger(admin_client: Any) -> None:
    from django_signal_notifier.models import Trigger

    refused = _trigger_with_inline(admin_client, '["article.folowers"]')
    assert refused.status_code == 200
    assert "article.folowers: testapp.Article has no relation" in refused.content.decode()
    assert not Trigger.objects.exists()
    accepted = _trigger_with_inline(admin_client, '["article.followers", "author"]')
    assert accepted.status_code == 302, accepted.content.decode()[-3000:]
    assert Subscription.objects.get().receiver_field_paths == ["article.followers", "author"]


def test_a_lone_string_stored_by_hand_is_one_path(run_on_commit: Any) -> None:
    (author,) = users("author")
    _, sub, _ = configure(Article)
    Subscription.objects.filter(pk=sub.pk).update(receiver_field_paths="author")
    with run_on_commit():
        Article.objects.create(title="A", author=author)
    assert inbox() == [author.pk]
