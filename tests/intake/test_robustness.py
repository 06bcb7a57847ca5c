"""A notification never breaks the user's save(); every failure is recorded where an admin sees it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import transaction

from django_signal_notifier.exceptions import PermanentDeliveryError
from django_signal_notifier.messengers import Messenger, register_messenger
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Notification
from django_signal_notifier.rendering import MessageTemplate, register_message_template
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


@register_messenger
class ExplodingMessenger(Messenger):
    def send_message(self, message: Any) -> None:
        raise RuntimeError("the channel exploded")


@register_messenger
class BrokenConstructorMessenger(Messenger):
    def __init__(self, options: Any = None) -> None:
        raise RuntimeError("cannot start")


@register_messenger
class RefusingMessenger(Messenger):
    def send_message(self, message: Any) -> None:
        raise PermanentDeliveryError("address rejected")


@register_messenger
class BrokenInlineMessenger(Messenger):
    inline = True

    def write_inline(self, event_row: Any, items: Any, snapshot: Any) -> int:
        raise RuntimeError("inline write failed")


@register_message_template
class BrokenTemplate(MessageTemplate):
    template_string = "{{ instance.title|no_such_filter }}"


@register_message_template
class RaisingTemplate(MessageTemplate):
    def get_context(self, context: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("context hook failed")


def save_article(capture: Any) -> Article:
    with capture(execute=True):
        return Article.objects.create(title="still saved")


def test_a_messenger_that_raises_does_not_break_save(django_capture_on_commit_callbacks, caplog):
    subscribe("post_save", Article, users=[user("alice")], messenger="ExplodingMessenger")
    with caplog.at_level(logging.WARNING):
        article = save_article(django_capture_on_commit_callbacks)
    assert Article.objects.filter(pk=article.pk).exists()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "the channel exploded" in delivery.last_error
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > delivery.created_at


def test_a_messenger_that_cannot_start_is_recorded(django_capture_on_commit_callbacks):
    subscribe("post_save", Article, users=[user("alice")], messenger="BrokenConstructorMessenger")
    save_article(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "cannot start" in delivery.last_error


def test_a_permanent_error_is_dead_at_once(django_capture_on_commit_callbacks):
    subscribe("post_save", Article, users=[user("alice")], messenger="RefusingMessenger")
    save_article(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error == "address rejected"


@pytest.mark.parametrize("template", ["BrokenTemplate", "RaisingTemplate"])
def test_a_broken_template_does_not_break_save_and_is_recorded(django_capture_on_commit_callbacks, caplog, template):
    subscription = subscribe("post_save", Article, users=[user("alice")], template=template)
    with caplog.at_level(logging.ERROR, logger="django_signal_notifier"):
        save_article(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error.startswith("template error")
    # the log names the trigger, the subscription and the backend
    record = next(r for r in caplog.records if "template error" in r.getMessage())
    assert f"trigger {subscription.trigger_id}" in record.getMessage()
    assert f"subscription {subscription.pk}" in record.getMessage()
    assert "backend" in record.getMessage()


def test_unknown_messenger_or_template_in_the_database(django_capture_on_commit_callbacks):
    subscription = subscribe("post_save", Article, users=[user("alice")])
    Backend.objects.filter(subscriptions=subscription).update(messenger="RenamedMessenger")
    save_article(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "unknown messenger 'RenamedMessenger'" in delivery.last_error


def test_an_inline_messenger_that_raises_does_not_break_save(django_capture_on_commit_callbacks, caplog):
    subscribe(
        "post_save",
        Article,
        users=[user("alice")],
        messenger="BrokenInlineMessenger",
        template="DefaultMessageTemplate",
    )
    with caplog.at_level(logging.ERROR):
        article = save_article(django_capture_on_commit_callbacks)
    assert Article.objects.filter(pk=article.pk).exists()
    assert any("fan-out failed" in r.getMessage() for r in caplog.records)
    assert Delivery.objects.get().status == DeliveryStatus.DEAD


def test_a_broken_inline_channel_does_not_take_the_others_down(django_capture_on_commit_callbacks, recorded):
    alice = user("alice")
    subscribe("post_save", Article, users=[alice], messenger="BrokenInlineMessenger", template="DefaultMessageTemplate")
    subscribe("post_save", Article, users=[alice])
    subscribe("post_save", Article, users=[alice], messenger="InSiteMessenger")
    save_article(django_capture_on_commit_callbacks)
    assert len(recorded) == 1
    assert Notification.objects.filter(recipient=alice).count() == 1
    broken = Delivery.objects.get(channel="BrokenInlineMessenger")
    assert broken.status == DeliveryStatus.DEAD
    assert "inline write failed" in broken.last_error


def test_save_inside_a_transaction_that_rolls_back_sends_nothing(django_capture_on_commit_callbacks, recorded):
    subscribe("post_save", Article, users=[user("alice")])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Article.objects.create(title="rolled back")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
    assert recorded == []
    assert Delivery.objects.count() == 0
    assert Notification.objects.count() == 0
