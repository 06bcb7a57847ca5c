"""Bad data in a send: lone surrogates are made storable once, and stored text is capped per row."""

from __future__ import annotations

from typing import Any

import pytest
from django.dispatch import Signal
from django.test import override_settings

from django_signal_notifier import notify, register_signal
from django_signal_notifier.events.text import stored_text, truncated
from django_signal_notifier.messengers.testing import TestMessenger
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Notification
from django_signal_notifier.rendering import MessageTemplate, register_message_template
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

uploaded = register_signal("test_bad_data_uploaded", Signal())
SURROGATE = "\udcff"  # what os.fsdecode() makes of the byte 0xff in a file name


@register_message_template
class UploadedTemplate(MessageTemplate):
    subject = "Uploaded {{ path }}"
    template_string = "{{ path }} by {{ uploader }}"


@register_message_template
class ArticleBodyTemplate(MessageTemplate):
    subject = "{{ instance.title }}"
    template_string = "{{ instance.body }}"


def with_inbox(subscription: Any, template: str) -> None:
    subscription.backends.add(Backend.objects.create(messenger="InSiteMessenger", message_template=template))


def test_a_lone_surrogate_in_signal_kwargs_keeps_the_event(django_capture_on_commit_callbacks: Any) -> None:
    alice = user("alice")
    subscription = subscribe(
        "test_bad_data_uploaded", None, users=[alice], messenger="TestMessenger", template="UploadedTemplate"
    )
    with_inbox(subscription, "UploadedTemplate")
    with django_capture_on_commit_callbacks(execute=True):
        uploaded.send(
            sender=Article,
            path=f"report{SURROGATE}.pdf",
            uploader=f"b{SURROGATE}b",
            **{f"meta{SURROGATE}": [SURROGATE]},
        )
    event = Event.objects.get()  # not lost to the database's encoding error
    kwargs = event.snapshot["kwargs"]
    assert kwargs["path"] == "report\ufffd.pdf"
    assert kwargs["meta\ufffd"] == ["\ufffd"]
    inbox = Notification.objects.get(recipient=alice)  # the inbox row is written too
    assert (inbox.title, inbox.body) == ("Uploaded report\ufffd.pdf", "report\ufffd.pdf by b\ufffdb")
    delivery = Delivery.objects.get(recipient=alice, channel="TestMessenger")
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    assert delivery.content["subject"] == "Uploaded report\ufffd.pdf"


def test_notify_inputs_with_lone_surrogates_are_stored(django_capture_on_commit_callbacks: Any) -> None:
    alice = user("alice")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            f"shared{SURROGATE}",
            recipients=[alice],
            channels=["InSiteMessenger"],
            subject=f"File {SURROGATE}",
            text=f"body {SURROGATE}",
            data={f"name{SURROGATE}": SURROGATE},
        )
    inbox = Notification.objects.get()
    assert (inbox.verb, inbox.title, inbox.body) == ("shared\ufffd", "File \ufffd", "body \ufffd")
    assert inbox.data == {"name\ufffd": "\ufffd"}
    assert Event.objects.get().verb == "shared\ufffd"


def test_stored_text_is_capped_per_row_with_a_visible_marker(django_capture_on_commit_callbacks: Any) -> None:
    TestMessenger.outbox.clear()
    readers = [user(f"reader{n}") for n in range(3)]
    subscription = subscribe(
        "post_save", Article, users=readers, messenger="TestMessenger", template="ArticleBodyTemplate"
    )
    with_inbox(subscription, "ArticleBodyTemplate")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="Long", body="x" * 1_000_000)
    marker = "… [truncated, 1,000,000 characters]"
    bodies = list(Notification.objects.values_list("body", flat=True))
    assert len(bodies) == 3
    assert all(len(body) == 20_000 and body.endswith(marker) for body in bodies)
    for delivery in Delivery.objects.filter(channel="TestMessenger"):
        assert len(delivery.content["text"]) == 20_000 and delivery.content["text"].endswith(marker)
    # What is sent is what was stored: the cut is visible to the reader too.
    assert [len(message.text) for message in TestMessenger.outbox] == [20_000] * 3


@override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 0.2, "MAX_STORED_TEXT": 100})
def test_the_cap_is_a_setting(django_capture_on_commit_callbacks: Any) -> None:
    alice = user("alice")
    subscription = subscribe(
        "post_save", Article, users=[alice], messenger="TestMessenger", template="ArticleBodyTemplate"
    )
    with_inbox(subscription, "ArticleBodyTemplate")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="Long", body="y" * 500)
    body = Notification.objects.get().body
    assert len(body) == 100 and body.endswith("… [truncated, 500 characters]")
    with override_settings(SIGNAL_NOTIFIER={"MAX_STORED_TEXT": None}):
        assert stored_text("z" * 50_000) == "z" * 50_000


def test_truncated_keeps_short_text_and_marks_long_text() -> None:
    assert truncated("short", 10) == "short"
    cut = truncated("a" * 100, 40)
    assert len(cut) == 40 and cut.endswith("[truncated, 100 characters]")
