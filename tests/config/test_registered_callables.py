"""Condition and receiver callables are registered in code by name; stored rows hold the name only."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from django_signal_notifier import declare
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.models import Notification, Subscription, Trigger
from django_signal_notifier.registry import condition, receiver, register_callable, registered_callable
from tests.support.whomwhat import configure
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


@condition("exits-on-purpose")
def exits(event: Any) -> bool:
    raise SystemExit(3)


@receiver("exiting-receivers")
def exiting_receivers(view: Any) -> Any:
    raise SystemExit(4)


@condition()
def is_urgent(event: Any) -> bool:
    return bool(event.instance.priority >= 5)


def readers_by_name(view: Any) -> Any:  # registered by the test that uses it
    return User.objects.filter(username="reader")


def declared_rule(event: Any) -> bool:  # given to declare() as a Python object
    return bool(event.instance.priority >= 5)


@pytest.fixture
def reader() -> User:
    return User.objects.create_user("reader")


def article_trigger() -> Trigger:
    return Trigger(verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article))


def test_a_dotted_path_to_any_function_is_refused() -> None:
    trigger = article_trigger()
    trigger.conditions = [{"op": "callable", "value": "sys.exit"}]
    with pytest.raises(ValidationError) as caught:
        trigger.full_clean()
    message = caught.value.message_dict["conditions"][0]
    assert "no condition callable is registered as 'sys.exit'" in message
    assert '@django_signal_notifier.condition("sys.exit")' in message  # says how to register it
    with pytest.raises(ValidationError) as caught:
        configure(Article, receiver_callable="os.system")
    assert "receiver callable is registered as 'os.system'" in caught.value.message_dict["receiver_callable"][0]


def test_a_stored_dotted_path_never_runs_and_is_reported(reader: User, run_on_commit: Any) -> None:
    trigger, sub, _ = configure(Article, users=[reader])
    Trigger.objects.filter(pk=trigger.pk).update(conditions=[{"op": "callable", "value": "sys.exit"}])
    with run_on_commit():
        Article.objects.create(title="A")  # would raise SystemExit if sys.exit were imported and called
    assert Notification.objects.count() == 0
    assert any("registered as 'sys.exit'" in problem for problem in trigger_index.problems)
    with pytest.raises(Exception) as caught:
        call_command("check", databases=["default"], fail_level="WARNING")
    assert "registered as 'sys.exit'" in str(caught.value)
    Trigger.objects.filter(pk=trigger.pk).update(conditions=[])
    Subscription.objects.filter(pk=sub.pk).update(receiver_callable="sys.exit")
    with run_on_commit():
        Article.objects.create(title="B")  # the listed reader still gets it
    assert Notification.objects.count() == 1
    with pytest.raises(Exception) as caught:
        call_command("check", databases=["default"], fail_level="WARNING")
    assert "receiver callable is registered as 'sys.exit'" in str(caught.value)


def test_a_registered_condition_calling_sys_exit_never_escapes_save(
    reader: User, run_on_commit: Any, caplog: Any
) -> None:
    configure(Article, conditions=[{"op": "callable", "value": "exits-on-purpose"}], users=[reader])
    with caplog.at_level(logging.ERROR), run_on_commit():
        article = Article.objects.create(title="A")  # does not raise SystemExit
    assert Article.objects.filter(pk=article.pk).exists()
    assert Notification.objects.count() == 0
    assert any("exits-on-purpose" in r.getMessage() and "raised" in r.getMessage() for r in caplog.records)


def test_a_registered_receiver_calling_sys_exit_never_escapes_save(reader: User, run_on_commit: Any) -> None:
    configure(Article, receiver_callable="exiting-receivers", users=[reader])
    with run_on_commit():
        Article.objects.create(title="A")  # does not raise SystemExit
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [reader.pk]


def test_an_old_dotted_path_row_works_once_registered_under_that_name(reader: User, run_on_commit: Any) -> None:
    _, sub, _ = configure(Article)
    name = f"{__name__}.readers_by_name"
    Subscription.objects.filter(pk=sub.pk).update(receiver_callable=name)  # as 0.x stored it
    with run_on_commit():
        Article.objects.create(title="before")
    assert Notification.objects.count() == 0
    assert registered_callable("receiver", name) is None
    register_callable(None, readers_by_name, kind="receiver")  # the default name is module.qualname
    assert registered_callable("receiver", name) is readers_by_name
    with run_on_commit():
        Article.objects.create(title="after")
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["after"]


def test_registered_names_and_the_urgent_rule(reader: User, run_on_commit: Any) -> None:
    configure(Article, conditions=[{"op": "callable", "value": f"{__name__}.is_urgent"}], users=[reader])
    with run_on_commit():
        Article.objects.create(title="calm", priority=1)
        Article.objects.create(title="urgent", priority=9)
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["urgent"]


def test_a_name_taken_by_another_function_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="already taken"):
        register_callable("exits-on-purpose", is_urgent, kind="condition")
    with pytest.raises(ConfigurationError, match="Unknown callable kind"):
        register_callable("x", is_urgent, kind="template")


def test_declare_accepts_the_function_itself_and_stores_its_name(reader: User, run_on_commit: Any) -> None:
    trigger = declare.trigger(
        "urgent-articles",
        verb="post_save",
        model=Article,
        conditions=[{"op": "callable", "value": declared_rule}],
    )
    inbox = declare.backend("inbox-for-urgent", messenger="InSiteMessenger")
    subscription = declare.subscription(
        "urgent-to-readers", trigger=trigger, backends=[inbox], receiver_callable=readers_by_name
    )
    trigger.refresh_from_db()
    subscription.refresh_from_db()
    assert trigger.conditions == [{"op": "callable", "value": f"{__name__}.declared_rule"}]
    assert subscription.receiver_callable == f"{__name__}.readers_by_name"
    with run_on_commit():
        Article.objects.create(title="calm", priority=1)
        Article.objects.create(title="urgent", priority=9)
    assert list(Notification.objects.values_list("action_object_text", "recipient_id")) == [("urgent", reader.pk)]


def test_the_admin_offers_registered_receivers_and_shows_a_stale_name(admin_client: Any) -> None:
    trigger, sub, backend = configure(Article)
    url = f"/admin/django_signal_notifier/subscription/{sub.pk}/change/"
    form = {
        "trigger": trigger.pk,
        "backends": [backend.pk],
        "receiver_field_paths": "",
        "enabled": "on",
        "digest_seconds": "0",
        "throttle_seconds": "0",
        "group_by": "verb_object",
    }
    page = admin_client.get(url).content.decode()
    assert '<option value="exiting-receivers">' in page and "sys.exit" not in page
    refused = admin_client.post(url, {**form, "receiver_callable": "sys.exit"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    accepted = admin_client.post(url, {**form, "receiver_callable": "exiting-receivers"})
    assert accepted.status_code == 302
    Subscription.objects.filter(pk=sub.pk).update(receiver_callable="myapp.receivers.watchers")  # an old row
    page = admin_client.get(url).content.decode()
    assert "myapp.receivers.watchers (not registered)" in page


def late_rule(event: Any) -> bool:  # its module registers it after the index was built
    return True


@override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 3600})
def test_a_condition_registered_after_the_index_was_built_is_taken_in(reader: User, run_on_commit: Any) -> None:
    trigger, _, _ = configure(Article, users=[reader])
    name = f"{__name__}.late_rule"
    Trigger.objects.filter(pk=trigger.pk).update(conditions=[{"op": "callable", "value": name}])
    with run_on_commit():
        Article.objects.create(title="before")
    assert Notification.objects.count() == 0
    assert any(name in problem for problem in trigger_index.problems)
    register_callable(None, late_rule, kind="condition")  # no configuration change, no waiting
    with run_on_commit():
        Article.objects.create(title="after")
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["after"]
