"""0.2.1's public names and extension points keep working."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from django_signal_notifier.messengers import Add_Messenger, BaseMessenger
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Subscription, Trigger
from django_signal_notifier.rendering import Add_Message_Template, BaseMessageTemplate
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


class OldStyleMessenger(BaseMessenger):
    """Written for 0.2.1: a classmethod send(template, users, trigger_context, signal_kwargs)."""

    calls: ClassVar[list[Any]] = []

    @classmethod
    def send(cls, template, users, trigger_context, signal_kwargs):  # type: ignore[no-untyped-def]
        for receiver in users:
            cls.calls.append(
                template.render(user=receiver, trigger_context=trigger_context, signal_kwargs=signal_kwargs)
            )


class OldStyleTemplate(BaseMessageTemplate):
    """Written for 0.2.1: template_string over {{ context.* }} and get_template_context()."""

    template_string = "{{ context.verb }}|{{ context.action_object }}|{{ context.user }}|{{ context.flavour }}"

    def get_template_context(self, context: dict[str, Any]) -> dict[str, Any]:
        context["flavour"] = "vanilla"
        return context


class FileTemplate(BaseMessageTemplate):
    file_name = "tests_old_style_message.txt"


Add_Messenger(OldStyleMessenger)
Add_Message_Template(OldStyleTemplate)
Add_Message_Template(FileTemplate)


def test_an_old_style_messenger_and_template_still_work(django_capture_on_commit_callbacks):
    OldStyleMessenger.calls.clear()
    subscribe(
        "post_save",
        Article,
        users=[user("alice"), user("bob")],
        messenger="OldStyleMessenger",
        template="OldStyleTemplate",
    )
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="Old")
    assert sorted(OldStyleMessenger.calls) == ["post_save|Old|alice|vanilla", "post_save|Old|bob|vanilla"]
    assert list(Delivery.objects.values_list("status", flat=True)) == [DeliveryStatus.SENT] * 2


def test_a_file_template(tmp_path, settings, django_capture_on_commit_callbacks, recorded):
    (tmp_path / "tests_old_style_message.txt").write_text("file: {{ context.verb }} {{ instance }} for {{ user }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    from django_signal_notifier.rendering.base import clear_template_cache

    clear_template_cache()
    subscribe("post_save", Article, users=[user("alice")], template="FileTemplate")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="F")
    assert recorded[0].text == "file: post_save F for alice"


def test_old_names_are_importable():
    from django_signal_notifier.messengers import SimplePrintMessenger, SimplePrintMessengerTemplateBased  # noqa: F401
    from django_signal_notifier.models import TestModel1, TestModel2  # noqa: F401
    from django_signal_notifier.rendering import SimplePrintMessageTemplate  # noqa: F401

    for field in (
        "verb",
        "action_object_content_type",
        "action_object_id",
        "actor_object_content_type",
        "actor_object_id",
        "target",
        "enabled",
    ):
        Trigger._meta.get_field(field)
    for field in ("trigger", "backends", "receiver_users", "receiver_groups", "enabled"):
        Subscription._meta.get_field(field)
    for field in ("messenger", "message_template"):
        Backend._meta.get_field(field)
    for field in ("name", "extra_field"):
        TestModel1._meta.get_field(field)
        TestModel2._meta.get_field(field)


def test_registered_verb_signal_is_the_register_signal_alias(django_capture_on_commit_callbacks, recorded):
    from django.dispatch import Signal

    from django_signal_notifier.events.verbs import get_signal

    custom = Signal()
    Trigger.registered_verb_signal("old_custom_signal", custom)
    assert get_signal("old_custom_signal") is custom
    subscribe("old_custom_signal", Article, users=[user("alice")])
    with django_capture_on_commit_callbacks(execute=True):
        custom.send(sender=Article, instance=Article.objects.create(title="x"))
    assert len(recorded) == 1


def test_registering_a_non_messenger_is_a_clear_error():
    from django_signal_notifier.exceptions import MessengerError

    with pytest.raises(MessengerError, match="subclass of"):
        Add_Messenger(object)  # type: ignore[arg-type]


def test_subscribers_is_the_old_name_of_receivers():
    alice = user("alice")
    subscription = subscribe("post_save", Article, users=[alice])
    assert list(subscription.subscribers) == [alice]
