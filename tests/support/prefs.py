"""Helpers shared by the i18n, preferences, unsubscribe and digest tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.messengers.base import Message
from django_signal_notifier.models import Backend, Subscription, Trigger
from tests.support.recording import EmailRecordingMessenger as RecordingMessenger
from tests.testapp.models import Article


@pytest.fixture(name="sent")
def recorded_messages() -> Iterator[list[Message]]:
    """The messages the RecordingMessenger sent during the test (import it to use ``sent``)."""
    RecordingMessenger.sent.clear()
    yield RecordingMessenger.sent
    RecordingMessenger.sent.clear()


def make_user(username: str, email: str | None = None, **extra: Any) -> Any:
    return get_user_model().objects.create_user(username, email=email or f"{username}@example.com", **extra)


def configure(
    users: Iterable[Any],
    messengers: Iterable[str] = ("EmailRecordingMessenger",),
    template: str = "",
    **subscription_fields: Any,
) -> Subscription:
    """post_save on Article -> a subscription for ``users`` on the given messengers."""
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    subscription = Subscription.objects.create(trigger=trigger, **subscription_fields)
    for name in messengers:
        backend = Backend.objects.create(messenger=name, message_template=template)
        subscription.backends.add(backend)
    subscription.receiver_users.set(list(users))
    return subscription


def save_article(capture: Any, title: str = "Hello", article: Article | None = None) -> Article:
    """Save (create or update) an article and run the after-commit fan-out and delivery."""
    with capture(execute=True):
        if article is None:
            article = Article.objects.create(title=title)
        else:
            article.title = title
            article.save()
    return article
