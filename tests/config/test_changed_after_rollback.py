"""``changed_to`` sees a committed change even when an earlier attempt of it was rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from django_signal_notifier.models import Notification
from tests.support.whomwhat import configure
from tests.testapp.models import Article


class Retry(Exception):
    pass


def publish_with_a_failed_first_attempt(article: Article) -> None:
    article.status = "published"
    try:
        with transaction.atomic():
            article.save()
            raise Retry  # e.g. a deadlock or a failing write later in the same transaction
    except Retry:
        pass
    article.save()  # the retry commits


@pytest.mark.django_db
def test_retry_after_a_rolled_back_savepoint_notifies_once(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader")
    configure(Article, conditions=[{"field": "status", "op": "changed_to", "value": "published"}], users=[reader])
    with run_on_commit():
        Article.objects.create(title="A")
    article = Article.objects.get(title="A")
    with run_on_commit():
        publish_with_a_failed_first_attempt(article)
    assert Notification.objects.count() == 1
    with run_on_commit():
        article.title = "B"
        article.save()  # still published: no change
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_retry_after_a_rolled_back_transaction_notifies_once() -> None:
    reader = User.objects.create_user("reader")
    configure(Article, conditions=[{"field": "status", "op": "changed_to", "value": "published"}], users=[reader])
    Article.objects.create(title="A")
    article = Article.objects.get(title="A")
    publish_with_a_failed_first_attempt(article)  # autocommit: the first attempt is a real transaction
    assert Notification.objects.count() == 1
    article.title = "B"
    article.save()  # committed snapshot: no query, no change
    assert Notification.objects.count() == 1
