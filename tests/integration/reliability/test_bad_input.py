"""Bad input: each case gets a clear error where an admin sees it, and a healthy trigger still delivers.

Every case saves, in the same run (the same commit), an Article that a healthy subscription
sends to the user ``healthy``: one broken trigger, messenger, template, recipient or value must
never take the other notifications down, nor the user's save().
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.checks import run_checks
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from django_signal_notifier import register_signal
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.exceptions import TransientDeliveryError
from django_signal_notifier.messengers import Message, Messenger, register_messenger
from django_signal_notifier.models import (
    Backend,
    Delivery,
    DeliveryStatus,
    Event,
    StoredTemplate,
    Subscription,
    Trigger,
)
from django_signal_notifier.registry import condition, receiver
from django_signal_notifier.rendering import MessageTemplate, register_message_template
from tests.integration.reliability.figures import record
from tests.support.factories import subscribe, user
from tests.support.recording import RecordingMessenger
from tests.testapp.models import Article, Tag

pytestmark = pytest.mark.django_db

CUSTOM_VERB = "reliability_custom_event"
custom_signal = register_signal(CUSTOM_VERB, Signal())
RTL_VERB = "إشعار_جديد"
rtl_signal = register_signal(RTL_VERB, Signal())


@register_messenger
class ReliabilityStartFails(Messenger):
    def __init__(self, options: Any = None) -> None:
        raise RuntimeError("missing API key for the provider")


@register_messenger
class ReliabilityAddressFails(Messenger):
    default_template = "DefaultMessageTemplate"

    def get_address(self, user: Any) -> str:
        raise LookupError("profile table is gone")

    def send_message(self, message: Message) -> None:
        raise AssertionError("never reached")


@register_messenger
class ReliabilityFlaky(RecordingMessenger):
    """Down until ``up`` is set: the first attempt fails transiently."""

    name = "ReliabilityFlaky"
    up: ClassVar[bool] = False

    def send_message(self, message: Message) -> None:
        if not ReliabilityFlaky.up:
            raise TransientDeliveryError("provider unavailable")
        super().send_message(message)


@register_message_template
class ReliabilitySyntaxError(MessageTemplate):
    template_string = "{% if instance.title %}unclosed"


@register_message_template
class ReliabilityContextRaises(MessageTemplate):
    def get_context(self, context: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("the template's context hook failed")


@register_message_template
class ReliabilityRTLTemplate(MessageTemplate):
    subject = "تنبيه: {{ instance.title }}"
    template_string = "‏مرحبا {{ recipient.username }} — {{ instance.title }} 👩‍👩‍👧 ‮txet desrever‬"


class Boom:
    def __str__(self) -> str:
        raise RuntimeError("__str__ exploded")

    __repr__ = __str__


@dataclass
class Run:
    """One run of a case: the broken thing and the healthy trigger fire in the same commit."""

    capture: Any

    def fire(self, *actions: Callable[[], Any]) -> None:
        with self.capture(execute=True):
            for action in actions:
                action()
            Tag.objects.create(name="healthy event")

    def deliveries(self, **filters: Any) -> list[Delivery]:
        return list(Delivery.objects.filter(**filters).order_by("pk"))


def check_messages() -> list[str]:
    return [message.msg for message in run_checks(include_deployment_checks=False, databases=["default"])]


def save_article(title: str = "broken event") -> Callable[[], Any]:
    return lambda: Article.objects.create(title=title)


def one_dead(**filters: Any) -> Delivery:
    [delivery] = Delivery.objects.filter(**filters)
    assert delivery.status == DeliveryStatus.DEAD, delivery.last_error
    return delivery


# --- the cases: each arranges, fires through run.fire() and asserts its clear error -------------


def unknown_signal_name(run: Run, alice: Any) -> None:
    subscribe("renamed_signal", Article, users=[alice])
    run.fire(save_article())
    problem = "signal 'renamed_signal' is not registered"
    assert any(problem in m for m in check_messages())
    assert any(problem in p for p in trigger_index.problems)


def removed_model(run: Run, alice: Any) -> None:
    gone = ContentType.objects.create(app_label="gone_app", model="removedmodel")
    subscription = subscribe("post_save", None, users=[alice])
    Trigger.objects.filter(pk=subscription.trigger_id).update(action_object_content_type=gone)
    run.fire(save_article())
    assert any("model gone_app.removedmodel no longer exists" in m for m in check_messages())


def removed_actor_model(run: Run, alice: Any) -> None:
    gone = ContentType.objects.create(app_label="gone_app", model="removedactor")
    subscription = subscribe("post_save", Article, users=[alice])
    Trigger.objects.filter(pk=subscription.trigger_id).update(actor_object_content_type=gone)
    run.fire(save_article())
    assert any("actor model gone_app.removedactor no longer exists" in m for m in check_messages())
    assert any("actor model gone_app.removedactor no longer exists" in p for p in trigger_index.problems)


def unknown_messenger(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    Backend.objects.filter(subscriptions=subscription).update(messenger="old.path.RenamedMessenger")
    run.fire(save_article())
    assert one_dead(recipient=alice).last_error == "unknown messenger 'old.path.RenamedMessenger'"
    assert any("unknown messenger 'old.path.RenamedMessenger'" in m for m in check_messages())


def unknown_template(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], template="old.path.RenamedTemplate")
    run.fire(save_article())
    assert one_dead(recipient=alice).last_error == "unknown message template 'old.path.RenamedTemplate'"
    assert any("unknown message template 'old.path.RenamedTemplate'" in m for m in check_messages())


def template_syntax_error(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], template="ReliabilitySyntaxError")
    run.fire(save_article())
    error = one_dead(recipient=alice).last_error
    assert error.startswith("template error:") and "endif" in error


def template_context_raises(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], template="ReliabilityContextRaises")
    run.fire(save_article())
    assert "the template's context hook failed" in one_dead(recipient=alice).last_error


def messenger_cannot_start(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], messenger="ReliabilityStartFails", template="DefaultMessageTemplate")
    run.fire(save_article())
    [delivery] = run.deliveries(recipient=alice)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "ReliabilityStartFails could not start: missing API key for the provider"


def address_lookup_raises(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], messenger="ReliabilityAddressFails")
    run.fire(save_article())
    assert "cannot build the message: profile table is gone" in one_dead(recipient=alice).last_error


def backend_options_not_an_object(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    Backend.objects.filter(subscriptions=subscription).update(options=["not", "an", "object"])
    run.fire(save_article())
    assert any("options" in p and "not a JSON object" in p for p in trigger_index.problems)
    assert any("options" in m and "not a JSON object" in m for m in check_messages())


def webhook_without_url(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], messenger="WebhookMessenger")
    run.fire(save_article())
    assert one_dead(recipient=alice).last_error == "the backend has no 'url' option"


def webhook_with_a_bad_url(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice], messenger="WebhookMessenger")
    Backend.objects.filter(subscriptions=subscription).update(options={"url": "http://[::1/"})
    run.fire(save_article())
    assert one_dead(recipient=alice).last_error == "Webhook: the URL is invalid"


def recipient_without_email(run: Run, alice: Any) -> None:
    nomail = user("nomail", email="")
    subscribe("post_save", Article, users=[nomail], messenger="EmailMessenger")
    run.fire(save_article())
    [delivery] = run.deliveries(recipient=nomail)
    assert (delivery.status, delivery.reason) == (DeliveryStatus.SKIPPED, f"user {nomail.pk} has no email address")


def recipient_without_telegram_chat_id(run: Run, alice: Any, settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {
        "TELEGRAM_BOT_TOKEN": "123456:reliability-token",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    subscribe("post_save", Article, users=[alice], messenger="TelegramBotMessenger")
    run.fire(save_article())
    [delivery] = run.deliveries(recipient=alice)
    assert (delivery.status, delivery.reason) == (DeliveryStatus.SKIPPED, f"user {alice.pk} has no Telegram chat id")


def recipient_without_phone(run: Run, alice: Any, settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "reliability-auth-token",
        "TWILIO_FROM": "+15550000000",
        "TWILIO_API_URL": "http://127.0.0.1:9",
    }
    subscribe("post_save", Article, users=[alice], messenger="TwilioSMSMessenger")
    run.fire(save_article())
    [delivery] = run.deliveries(recipient=alice)
    assert (delivery.status, delivery.reason) == (DeliveryStatus.SKIPPED, f"user {alice.pk} has no phone number")


def recipient_deleted_before_send(run: Run, alice: Any, settings: Any) -> None:
    ReliabilityFlaky.up = False
    gone = user("soon_gone")
    subscribe("post_save", Article, users=[gone], messenger="ReliabilityFlaky")
    run.fire(save_article())
    [delivery] = run.deliveries(channel="ReliabilityFlaky")
    assert delivery.status == DeliveryStatus.FAILED
    # With the default ERASE_ON_USER_DELETE the row goes with the user (tests/privacy); kept, it is skipped.
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "ERASE_ON_USER_DELETE": False}
    gone.delete()
    ReliabilityFlaky.up = True
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (DeliveryStatus.SKIPPED, "the recipient was deleted")


def object_deleted_before_render(run: Run, alice: Any) -> None:
    ReliabilityFlaky.up = False
    subscribe("post_save", Article, users=[alice], messenger="ReliabilityFlaky")
    run.fire(save_article("soon deleted"))
    Delivery.objects.filter(channel="ReliabilityFlaky").update(
        content={}, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )  # no stored render: the worker renders again, from the event's snapshot
    Article.objects.filter(title="soon deleted").delete()
    ReliabilityFlaky.up = True
    assert deliver_due() == {"sent": 1}
    [message] = [m for m in RecordingMessenger.sent if m.recipient == alice]
    assert "soon deleted" in message.subject


def _custom(run: Run, alice: Any, **kwargs: Any) -> dict[str, Any]:
    subscribe(CUSTOM_VERB, None, users=[alice])
    run.fire(lambda: custom_signal.send(sender=Article, **kwargs))
    [event] = Event.objects.filter(verb=CUSTOM_VERB)
    [delivery] = run.deliveries(recipient=alice)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    return dict(event.snapshot["kwargs"])


def kwargs_non_utf8_bytes(run: Run, alice: Any) -> None:
    assert _custom(run, alice, payload=b"\xff\xfe\x00caf\xe9")["payload"] == "\ufffd\ufffd\ufffdcaf\ufffd"


def kwargs_set(run: Run, alice: Any) -> None:
    assert sorted(_custom(run, alice, tags={"b", "a"})["tags"]) == ["a", "b"]


def kwargs_str_raises(run: Run, alice: Any) -> None:
    assert _custom(run, alice, thing=Boom())["thing"] == "<Boom: str() failed: RuntimeError>"


def kwargs_recursive_list(run: Run, alice: Any) -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    stored = _custom(run, alice, loop=loop)["loop"]
    assert stored[0] == 1 and isinstance(stored[1], list)  # cut at the depth limit, not a RecursionError


def kwargs_recursive_dict(run: Run, alice: Any) -> None:
    loop: dict[str, Any] = {"name": "me"}
    loop["self"] = loop
    assert _custom(run, alice, loop=loop)["loop"]["name"] == "me"


def kwargs_ten_megabytes(run: Run, alice: Any) -> None:
    stored = _custom(run, alice, blob="x" * 10_000_000)["blob"]
    assert len(stored) == 2000 and stored.endswith("…")


def kwargs_nul_characters(run: Run, alice: Any) -> None:
    stored = _custom(run, alice, note="a\x00b", **{"key\x00": ["\x00"]})
    assert stored == {"note": "a\ufffdb", "key\ufffd": ["\ufffd"]}  # PostgreSQL stores no NUL


def kwargs_nan_and_infinity(run: Run, alice: Any) -> None:
    stored = _custom(run, alice, ratio=math.nan, ceiling=math.inf)
    assert (stored["ratio"], stored["ceiling"]) == ("nan", "inf")


def kwargs_unserialisable_objects(run: Run, alice: Any) -> None:
    stored = _custom(run, alice, callback=lambda: None, items=(i for i in range(3)), kind=object)
    assert stored["callback"].startswith("<function") and stored["items"].startswith("<generator")


def kwargs_odd_keys_and_secrets(run: Run, alice: Any) -> None:
    stored = _custom(run, alice, mapping={(1, 2): "tuple key", None: "none key", "api_token": "hunter2"})
    assert stored["mapping"] == {"(1, 2)": "tuple key", "None": "none key", "api_token": "***"}


def rtl_and_emoji_title(run: Run, alice: Any) -> None:
    title = "مرحبا بالعالم ‮evil‬ 👩‍👩‍👧 e\u0301"
    subscribe("post_save", Article, users=[alice])
    run.fire(save_article(title))
    [message] = [m for m in RecordingMessenger.sent if m.recipient == alice]
    assert title in message.subject


def unicode_username_and_template(run: Run, alice: Any) -> None:
    reader = user("ユーザー名_مستخدم")
    subscribe("post_save", Article, users=[reader], template="ReliabilityRTLTemplate")
    run.fire(save_article("عنوان"))
    [message] = [m for m in RecordingMessenger.sent if m.recipient == reader]
    assert message.subject == "تنبيه: عنوان"
    assert "مرحبا ユーザー名_مستخدم — عنوان 👩‍👩‍👧" in message.text


def unicode_verb_name(run: Run, alice: Any) -> None:
    subscribe(RTL_VERB, None, users=[alice])
    run.fire(lambda: rtl_signal.send(sender=Article, note="ملاحظة"))
    [delivery] = run.deliveries(recipient=alice)
    assert delivery.status == DeliveryStatus.SENT
    assert Event.objects.get(verb=RTL_VERB).snapshot["kwargs"] == {"note": "ملاحظة"}


def malformed_object_id_filter(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], action_object_id="not-a-number")
    run.fire(save_article())
    assert run.deliveries(recipient=alice) == []  # matches no Article, breaks nothing


def subscription_without_backends(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    subscription.backends.clear()
    run.fire(save_article())
    assert run.deliveries(recipient=alice) == []


@condition()
def raising_rule(event: Any) -> bool:
    raise ZeroDivisionError("the rule divided by zero")


@receiver()
def raising_receivers(event: Any) -> Any:
    raise ConnectionError("the directory service is down")


def db_template_syntax_error(run: Run, alice: Any) -> None:
    StoredTemplate.objects.create(name="broken", subject="Hi", text="{% if instance.title %}never closed")
    subscribe("post_save", Article, users=[alice], template="db:broken")
    run.fire(save_article())
    error = one_dead(recipient=alice).last_error
    assert error.startswith("template error:") and "endif" in error


def db_template_forbidden_tag(run: Run, alice: Any) -> None:
    StoredTemplate.objects.create(name="sneaky", subject="Hi", text="{% load static %}{% debug %}")
    subscribe("post_save", Article, users=[alice], template="db:sneaky")
    run.fire(save_article())
    error = one_dead(recipient=alice).last_error
    assert error.startswith("template error:") and "{% load %} is not allowed in stored templates" in error


def db_template_missing(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], template="db:deleted-template")
    run.fire(save_article())
    assert "'db:deleted-template'" in one_dead(recipient=alice).last_error


def _condition(run: Run, alice: Any, conditions: list[dict[str, Any]]) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    Trigger.objects.filter(pk=subscription.trigger_id).update(conditions=conditions)
    run.fire(save_article())
    assert run.deliveries(recipient=alice) == []  # a condition that cannot hold never matches


def condition_names_a_missing_field(run: Run, alice: Any) -> None:
    _condition(run, alice, [{"field": "stauts", "op": "eq", "value": "published"}])
    assert any("has no field 'stauts'" in p for p in trigger_index.problems)
    assert any("has no field 'stauts'" in m for m in check_messages())


def condition_unknown_op(run: Run, alice: Any) -> None:
    _condition(run, alice, [{"field": "title", "op": "like", "value": "x"}])
    assert any("unknown op 'like'" in p for p in trigger_index.problems)


def condition_callable_missing(run: Run, alice: Any) -> None:
    _condition(run, alice, [{"op": "callable", "value": "gone.module.rule"}])
    assert any("gone.module.rule" in p for p in trigger_index.problems)


def condition_callable_raises(run: Run, alice: Any, caplog: Any) -> None:
    _condition(run, alice, [{"op": "callable", "value": f"{__name__}.raising_rule"}])
    expected = f"condition callable '{__name__}.raising_rule' of trigger"
    assert any(expected in r.getMessage() and "the trigger does not match" in r.getMessage() for r in caplog.records)


def receiver_path_missing(run: Run, alice: Any, caplog: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    Subscription.objects.filter(pk=subscription.pk).update(receiver_field_paths=["folowers"])
    run.fire(save_article())
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"receiver path 'folowers' of subscription {subscription.pk}" in logged
    assert "testapp.Article has no relation 'folowers'" in logged
    assert any("folowers" in m for m in check_messages())
    assert [d.status for d in run.deliveries(recipient=alice)] == [DeliveryStatus.SENT]  # the listed users still get it


def receiver_callable_missing(run: Run, alice: Any, caplog: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    Subscription.objects.filter(pk=subscription.pk).update(receiver_callable="gone.module.watchers")
    run.fire(save_article())
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "receiver callable 'gone.module.watchers'" in logged and "is registered as 'gone.module.watchers'" in logged
    assert [d.status for d in run.deliveries(recipient=alice)] == [DeliveryStatus.SENT]


def receiver_callable_raises(run: Run, alice: Any, caplog: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    Subscription.objects.filter(pk=subscription.pk).update(receiver_callable=f"{__name__}.raising_receivers")
    run.fire(save_article())
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "raising_receivers' of subscription" in logged
    assert "failed: ConnectionError: the directory service is down" in logged
    assert [d.status for d in run.deliveries(recipient=alice)] == [DeliveryStatus.SENT]


# --- issue 17: configuration that runs code, and bad data ----------------------------------------
@condition("reliability-exits")
def exiting_rule(event: Any) -> bool:
    raise SystemExit(3)


@receiver("reliability-exiting-receivers")
def exiting_receivers(event: Any) -> Any:
    raise SystemExit(4)


@register_message_template
class ReliabilityBody(MessageTemplate):
    template_string = "{{ instance.body }}"


def condition_callable_dotted_path_to_sys_exit(run: Run, alice: Any) -> None:
    _condition(run, alice, [{"op": "callable", "value": "sys.exit"}])  # never imported
    assert any("no condition callable is registered as 'sys.exit'" in p for p in trigger_index.problems)
    assert any("registered as 'sys.exit'" in m for m in check_messages())


def registered_callables_calling_sys_exit(run: Run, alice: Any, caplog: Any) -> None:
    exiting_condition = subscribe("post_save", Article, users=[alice])
    Trigger.objects.filter(pk=exiting_condition.trigger_id).update(
        conditions=[{"op": "callable", "value": "reliability-exits"}]
    )
    exiting_receivers = subscribe("post_save", Article, users=[alice])
    Subscription.objects.filter(pk=exiting_receivers.pk).update(receiver_callable="reliability-exiting-receivers")
    run.fire(save_article("exit"))  # no SystemExit reaches the save
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "reliability-exits" in logged and "SystemExit" in logged
    # The condition counts as false; the receiver callable is left out and the listed user still gets it.
    assert [(d.subscription_id, d.status) for d in run.deliveries(recipient=alice)] == [
        (exiting_receivers.pk, DeliveryStatus.SENT)
    ]


def kwargs_lone_surrogates(run: Run, alice: Any) -> None:
    stored = _custom(run, alice, path="report\udcff.pdf", **{"name\udcff": ["\udcff"]})
    assert stored == {"path": "report\ufffd.pdf", "name\ufffd": ["\ufffd"]}  # no encoder accepts a lone surrogate


def ten_megabyte_body_to_each_recipient(run: Run, alice: Any) -> None:
    subscribe("post_save", Article, users=[alice], template="ReliabilityBody")
    run.fire(lambda: Article.objects.create(title="long", body="x" * 10_485_760))
    [delivery] = run.deliveries(recipient=alice)
    assert delivery.status == DeliveryStatus.SENT
    text = delivery.content["text"]
    assert len(text) == 20_000 and text.endswith("… [truncated, 10,485,760 characters]")


def condition_with_a_naive_datetime(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", User, users=[alice])
    naive = [{"field": "last_login", "op": "eq", "value": "2026-01-01T09:00:00"}]
    Trigger.objects.filter(pk=subscription.trigger_id).update(conditions=naive)
    run.fire(lambda: user("bob"))
    assert run.deliveries(recipient=alice) == []
    assert any("has no time zone" in p and "left out" in p for p in trigger_index.problems)


def conditions_stored_as_an_object(run: Run, alice: Any) -> None:
    _condition(run, alice, {"op": "created"})  # type: ignore[arg-type]  # the admin refuses it; so does the index
    assert any("Conditions must be a list of objects." in p for p in trigger_index.problems)


def configuration_changed_by_raw_sql(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    with run.capture(execute=True):
        Article.objects.create(title="before")
    with connection.cursor() as cursor:  # no signal, no queryset: only the database knows
        table = connection.ops.quote_name(Trigger._meta.db_table)
        cursor.execute(f"UPDATE {table} SET enabled = %s WHERE id = %s", [False, subscription.trigger_id])
    time.sleep(trigger_index.interval() + 0.05)
    run.fire(save_article("after"))
    assert len(run.deliveries(recipient=alice)) == 1


def changed_to_retried_after_a_rollback(run: Run, alice: Any) -> None:
    subscription = subscribe("post_save", Article, users=[alice])
    published = [{"field": "status", "op": "changed_to", "value": "published"}]
    Trigger.objects.filter(pk=subscription.trigger_id).update(conditions=published)
    Article.objects.create(title="draft")
    article = Article.objects.get(title="draft")

    def publish_twice() -> None:
        article.status = "published"
        try:
            with transaction.atomic():
                article.save()
                raise RuntimeError("deadlock, retry")
        except RuntimeError:
            pass
        article.save()

    run.fire(publish_twice)
    assert len(run.deliveries(recipient=alice)) == 1


CASES: list[Callable[..., None]] = [
    unknown_signal_name,
    removed_model,
    removed_actor_model,
    unknown_messenger,
    unknown_template,
    template_syntax_error,
    template_context_raises,
    messenger_cannot_start,
    address_lookup_raises,
    backend_options_not_an_object,
    webhook_without_url,
    webhook_with_a_bad_url,
    recipient_without_email,
    recipient_without_telegram_chat_id,
    recipient_without_phone,
    recipient_deleted_before_send,
    object_deleted_before_render,
    kwargs_non_utf8_bytes,
    kwargs_set,
    kwargs_str_raises,
    kwargs_recursive_list,
    kwargs_recursive_dict,
    kwargs_ten_megabytes,
    kwargs_nul_characters,
    kwargs_nan_and_infinity,
    kwargs_unserialisable_objects,
    kwargs_odd_keys_and_secrets,
    rtl_and_emoji_title,
    unicode_username_and_template,
    unicode_verb_name,
    malformed_object_id_filter,
    subscription_without_backends,
    db_template_syntax_error,
    db_template_forbidden_tag,
    db_template_missing,
    condition_names_a_missing_field,
    condition_unknown_op,
    condition_callable_missing,
    condition_callable_raises,
    receiver_path_missing,
    receiver_callable_missing,
    receiver_callable_raises,
    condition_callable_dotted_path_to_sys_exit,
    registered_callables_calling_sys_exit,
    kwargs_lone_surrogates,
    ten_megabyte_body_to_each_recipient,
    condition_with_a_naive_datetime,
    conditions_stored_as_an_object,
    configuration_changed_by_raw_sql,
    changed_to_retried_after_a_rollback,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_bad_input_is_reported_and_the_healthy_trigger_still_delivers(
    case, django_capture_on_commit_callbacks, recorded, settings, caplog
):
    healthy = user("healthy")
    alice = user("alice")
    subscribe("post_save", Tag, users=[healthy])
    run = Run(django_capture_on_commit_callbacks)
    offered = {"settings": settings, "caplog": caplog}
    arguments = {name: value for name, value in offered.items() if name in case.__code__.co_varnames}
    case(run, alice, **arguments)
    healthy_messages = [m for m in recorded if m.recipient == healthy]
    assert [m.subject for m in healthy_messages] == [f"created tag “{Tag.objects.get()}”"]
    assert Delivery.objects.get(recipient=healthy).status == DeliveryStatus.SENT
    assert Tag.objects.filter(name="healthy event").count() == 1  # the user's save() was never broken
    record("bad-input", case=case.__name__, bad_inputs=1)


def test_there_are_at_least_25_bad_input_cases():
    assert len(CASES) >= 25
