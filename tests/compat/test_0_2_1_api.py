"""Issue 16: the rest of 0.2.1's public API — Trigger.save_by_model, its four commands, DSN_Profile, its template names."""

from __future__ import annotations

import builtins
from io import StringIO
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from django_signal_notifier.exceptions import SignalRegistrationError
from django_signal_notifier.messengers import BaseMessenger, TelegramBotMessenger
from django_signal_notifier.messengers.testing import TestMessenger
from django_signal_notifier.models import Backend, DSN_Profile, Profile, Subscription, Trigger
from django_signal_notifier.rendering.registry import template_registry
from tests.support.factories import subscribe, user
from tests.testapp.models import Article, Comment

pytestmark = pytest.mark.django_db(transaction=True)
COMMANDS = ("run_trigger", "run_builtin_signal_trigger", "run_message_template", "test_messenger")


@pytest.fixture(autouse=True)
def _empty_test_outbox() -> Any:
    TestMessenger.outbox.clear()
    yield
    TestMessenger.outbox.clear()


def command(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# -- Trigger.save_by_model ------------------------------------------------------------------------
def test_save_by_model_creates_a_trigger_from_a_model_once() -> None:
    trigger = Trigger.save_by_model("post_save", action_object=Article)
    assert trigger.pk is not None and trigger.enabled
    assert trigger.action_object_content_type == ContentType.objects.get_for_model(Article)
    assert trigger.action_object_id is None and trigger.actor_object_content_type is None and trigger.target is None
    again = Trigger.save_by_model("post_save", action_object=Article, enabled=False)
    assert again.pk == trigger.pk and Trigger.objects.count() == 1
    assert Trigger.objects.get().enabled is False


def test_save_by_model_binds_one_object_an_actor_model_and_a_target() -> None:
    article = Article.objects.create(title="one")
    trigger = Trigger.save_by_model("post_save", action_object=article, actor_object=User, target="dashboard")
    trigger.refresh_from_db()
    assert trigger.action_object_id == str(article.pk) and trigger.action_object == article
    assert trigger.actor_object_content_type == ContentType.objects.get_for_model(User)
    assert trigger.actor_object is User and trigger.target == "dashboard"


def test_save_by_model_changes_the_trigger_it_is_given() -> None:
    trigger = Trigger.save_by_model("post_save", action_object=Article)
    changed = Trigger.save_by_model("pre_delete", action_object=Comment, trigger_obj=trigger)
    assert changed.pk == trigger.pk
    trigger.refresh_from_db()
    assert (trigger.verb, trigger.action_object_content_type.model) == ("pre_delete", "comment")


def test_save_by_model_refuses_what_0_2_1_refused() -> None:
    with pytest.raises(SignalRegistrationError, match="no_such_signal"):
        Trigger.save_by_model("no_such_signal", action_object=Article)
    with pytest.raises(ValueError, match="not saved"):
        Trigger.save_by_model("post_save", action_object=Article(title="unsaved"))
    with pytest.raises(ValidationError):
        Trigger.save_by_model("post_save", action_object=Article, target="x" * 300)
    assert not Trigger.objects.exists()


def test_a_trigger_saved_by_model_sends(django_capture_on_commit_callbacks: Any) -> None:
    alice = user("alice", email="alice@example.com")
    trigger = Trigger.save_by_model("post_save", action_object=Article)
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(Backend.objects.create(messenger="TestMessenger"))
    subscription.receiver_users.add(alice)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="sent")
    assert [m.address for m in TestMessenger.outbox] == ["alice@example.com"]


# -- the four commands ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", COMMANDS)
def test_each_old_command_exists_with_help(name: str) -> None:
    parser = load_command_class("django_signal_notifier", name).create_parser("manage.py", name)
    text = parser.format_help()
    assert "0.2.1" in text and "signal_notifier" in text


DETAILS: dict[str, Any] = {}


def article_details() -> dict[str, Any]:
    """A 0.2.1 details function: {verb: signal_kwargs}."""
    return {"post_save": {"sender": Article, "instance": DETAILS["article"], "created": True}}


def broken_details() -> dict[str, Any]:
    raise RuntimeError("the details function is broken")


def test_run_trigger_fires_the_matching_triggers_of_a_details_function() -> None:
    alice = user("alice", email="alice@example.com")
    on_articles = subscribe("post_save", Article, users=[alice], messenger="TestMessenger").trigger_id
    on_comments = subscribe("post_save", Comment, users=[alice], messenger="TestMessenger").trigger_id
    DETAILS["article"] = Article.objects.create(title="fired")
    TestMessenger.outbox.clear()

    out, _ = command("run_trigger", "tests.compat.test_0_2_1_api.article_details", "--debug")
    assert f"MATCHED trigger {on_articles} " in out and f"NOT MATCHED trigger {on_comments} " in out
    assert [(m.address, m.verb) for m in TestMessenger.outbox] == [("alice@example.com", "post_save")]

    out, err = command("run_trigger", "tests.compat.test_0_2_1_api.broken_details")
    assert "RuntimeError: the details function is broken" in err and "--debug" in err
    with pytest.raises(RuntimeError):
        command("run_trigger", "tests.compat.test_0_2_1_api.broken_details", "--debug")
    with pytest.raises(CommandError, match="Cannot import"):
        command("run_trigger", "tests.compat.nowhere.details")


def test_run_builtin_signal_trigger_by_id_or_interactively(monkeypatch: pytest.MonkeyPatch) -> None:
    alice = user("alice", email="alice@example.com")
    subscription = subscribe("post_save", Article, users=[alice], messenger="TestMessenger")
    first = Article.objects.create(title="first")
    second = Article.objects.create(title="second")
    TestMessenger.outbox.clear()

    command("run_builtin_signal_trigger", "--trigger_id", str(subscription.trigger_id), "--object", str(second.pk))
    assert len(TestMessenger.outbox) == 1 and "“second”" in TestMessenger.outbox[0].text

    answers = iter(["post_save", "0", ""])  # the verb by name, the first trigger, empty: the first object
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    out, _ = command("run_builtin_signal_trigger")
    assert "::: post_save" in out and f"0 ::: {subscription.trigger_id} " in out
    assert len(TestMessenger.outbox) == 2 and f"“{first.title}”" in TestMessenger.outbox[1].text

    out, _ = command("run_builtin_signal_trigger", "--trigger_id", "999")
    assert "There is no trigger with the id 999." in out


def template_details() -> dict[str, Any]:
    """A 0.2.1 run_message_template function: {template: {user, trigger_context, signal_kwargs}}."""
    article = DETAILS["article"]
    return {
        "SimplePrintMessageTemplate": {
            "user": DETAILS["user"],
            "trigger_context": {"verb": "pre_save", "action_object": article, "target": None},
            "signal_kwargs": {},
        },
        "NoSuchTemplate": {"user": DETAILS["user"], "trigger_context": {}, "signal_kwargs": {}},
    }


def test_run_message_template_renders_each_template_for_its_user() -> None:
    DETAILS["user"] = user("alice")
    DETAILS["article"] = Article.objects.create(title="Hello")
    out = StringIO()
    with pytest.raises(CommandError, match="1 message template"):
        call_command("run_message_template", "tests.compat.test_0_2_1_api.template_details", stdout=out, stderr=out)
    assert "[django-signal-notifier] pre_save on article “Hello” for alice" in out.getvalue()
    assert "No message template is registered as 'NoSuchTemplate'" in out.getvalue()


class OldStyleTestSend(BaseMessenger):
    """A 0.2.1 messenger with its own test_send()."""

    calls: ClassVar[list[tuple[str, str]]] = []

    @classmethod
    def send(cls, template: Any, users: Any, trigger_context: Any, signal_kwargs: Any) -> None:
        """Not used here."""

    @classmethod
    def test_send(cls, user_identification: str, test_message: str) -> None:
        cls.calls.append((user_identification, test_message))


def test_test_messenger_sends_through_the_messenger_to_the_address(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = command(
        "test_messenger", "django_signal_notifier.messengers.testing.TestMessenger", "ops@x.org", "hi there"
    )
    assert [(m.address, m.text) for m in TestMessenger.outbox] == [("ops@x.org", "hi there")]
    assert "TestMessenger -> ops@x.org: sent" in out

    command("test_messenger", "django_signal_notifier.messengers.SimplePrintMessenger", "user1", "hello")
    assert "(test_message → user1)" in capsys.readouterr().out

    command("test_messenger", "tests.compat.test_0_2_1_api.OldStyleTestSend", "chat-7", "ping")
    assert OldStyleTestSend.calls == [("chat-7", "ping")]

    with pytest.raises(CommandError, match="Give three parameters"):
        command("test_messenger", "TestMessenger", "only-two")
    with pytest.raises(CommandError, match="Cannot import"):
        command("test_messenger", "nowhere.Pigeon", "a", "b")


def test_test_send_with_a_messenger_and_no_backend() -> None:
    out = StringIO()
    call_command("signal_notifier", "test-send", "--messenger", "TestMessenger", "--address", "a@x.org", stdout=out)
    assert TestMessenger.outbox[0].address == "a@x.org" and "sent" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("signal_notifier", "test-send", "1", "--messenger", "TestMessenger", "--address", "a@x.org")


# -- DSN_Profile and the Telegram chat id ---------------------------------------------------------
def test_the_telegram_channel_reads_the_chat_id_from_the_profile_by_default() -> None:
    alice, bob = user("alice"), user("bob")
    DSN_Profile.objects.create(user=alice, telegram_chat_id="78067664")  # 0.2.1's name, the same model
    assert DSN_Profile is Profile
    messenger = TelegramBotMessenger({})
    assert messenger.get_address(alice) == "78067664"
    from django_signal_notifier.exceptions import SkipDelivery

    with pytest.raises(SkipDelivery, match="no Telegram chat id"):
        messenger.get_address(bob)
    bob.telegram_chat_id = "555"  # a custom user model's own field is read first
    assert messenger.get_address(bob) == "555"


def test_the_profiles_are_in_the_admin(client: Any) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    Profile.objects.create(user=admin, telegram_chat_id="-1001234567890")
    client.force_login(admin)
    page = client.get("/admin/django_signal_notifier/profile/")
    assert page.status_code == 200 and "-1001234567890" in page.content.decode()


# -- 0.2.1's template names -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SimpleTelegramMessageTemplate1", "post_save\nDoc"),
        ("SimpleTelegramMessageTemplate2", '{"verb": "post_save", "action_object": "Doc"}'),
        ("SimpleSMTPMessageTemplate", "verb: post_save\naction_object: Doc"),
    ],
)
def test_0_2_1_template_names_are_registered(name: str, expected: str) -> None:
    template_cls = template_registry.get(name)
    assert template_cls is not None
    rendered = template_cls().render_message({"verb": "post_save", "instance": "Doc", "recipient": None})
    assert rendered.text == expected
