"""Inbox fixtures: users, and notifications written the way InSiteMessenger writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.utils import timezone

from django_signal_notifier.models import Notification
from tests.testapp.models import Article, Tag


@pytest.fixture(autouse=True)
def clear_inbox_cache() -> Iterator[None]:
    """Each test starts with an empty cache: counts cached by one test never reach another."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def alice(db: Any) -> Any:
    return get_user_model().objects.create_user("alice", "alice@example.com", "pw")


@pytest.fixture
def bob(db: Any) -> Any:
    return get_user_model().objects.create_user("bob", "bob@example.com", "pw")


def make_notifications(recipient: Any, count: int, *, actor: Any = None, unread: bool = True) -> list[Notification]:
    """``count`` notifications about fresh articles, each with an actor and a tag as target."""
    actor = actor or recipient
    tag = Tag.objects.create(name=f"tag for {recipient.username}")
    articles = Article.objects.bulk_create(Article(title=f"Article {i}", author=actor) for i in range(count))
    if not articles or articles[0].pk is None:  # backends that cannot return ids from bulk inserts
        articles = list(Article.objects.order_by("-pk")[:count])[::-1]
    user_ct = ContentType.objects.get_for_model(actor)
    article_ct = ContentType.objects.get_for_model(Article)
    tag_ct = ContentType.objects.get_for_model(Tag)
    start = timezone.now() - timedelta(days=1)
    rows = [
        Notification(
            recipient=recipient,
            verb="post_save",
            actor_content_type=user_ct,
            actor_object_id=str(actor.pk),
            actor_text=str(actor),
            action_object_content_type=article_ct,
            action_object_id=str(article.pk),
            action_object_text=article.title,
            target_content_type=tag_ct,
            target_object_id=str(tag.pk),
            target_text=tag.name,
            title=f"{actor} created article “{article.title}”",
            url=article.get_absolute_url(),
            unread=unread,
            created_at=start + timedelta(seconds=i),
        )
        for i, article in enumerate(articles)
    ]
    Notification.objects.bulk_create(rows)
    return list(Notification.objects.filter(recipient=recipient).order_by("created_at", "id"))
