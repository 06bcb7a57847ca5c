"""The test helpers as a project's own tests use them (see docs/api.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from django_signal_notifier.models import Notification
from django_signal_notifier.testing import capture_notifications
from tests.support.factories import subscribe
from tests.testapp.models import Article, Comment

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.integration.userproject")]


@pytest.fixture
def author():
    return get_user_model().objects.create_user("ada", email="ada@example.com", password="pw")


@pytest.fixture
def reader():
    return get_user_model().objects.create_user("bob", email="bob@example.com", password="pw")


def test_commenting_notifies_the_author(client, author, reader, notifications):
    article = Article.objects.create(title="Engines", author=author)
    client.force_login(reader)

    response = client.post(f"/articles/{article.pk}/comments/", {"text": "Lovely piece"})

    assert response.status_code == 201
    notifications.assert_sent(to=author, channel="TestMessenger", contains="bob commented on “Engines”", count=1)
    inbox = notifications.for_user(author).on_channel("InSiteMessenger")
    assert [m.text for m in inbox] == ["Lovely piece"]
    notifications.assert_not_sent(to=reader)
    # The real pipeline ran: the inbox row exists, addressed by the user's e-mail on TestMessenger.
    assert Notification.objects.get(recipient=author).title == "bob commented on “Engines”"
    assert notifications.on_channel("TestMessenger")[0].address == "ada@example.com"


def test_commenting_on_your_own_article_sends_nothing(client, author):
    article = Article.objects.create(title="Engines", author=author)
    client.force_login(author)
    with capture_notifications() as sent:
        client.post(f"/articles/{article.pk}/comments/", {"text": "Addendum"})
    sent.assert_nothing_sent()
    assert Comment.objects.count() == 1


def test_a_configured_trigger_is_captured_too(author, reader):
    subscribe("post_save", Comment, users=[author], messenger="TestMessenger")
    article = Article.objects.create(title="Engines", author=author)
    with capture_notifications() as sent:
        Comment.objects.create(article=article, author=reader, text="First!")
    message = sent.assert_sent(to=author, channel="TestMessenger", verb="post_save", count=1)[0]
    assert "First!" in message.body


def test_a_failed_assertion_says_what_was_sent(author, reader):
    with capture_notifications() as sent:
        from django_signal_notifier import notify

        notify("pinged", recipients=[reader], channels=["TestMessenger"], subject="Ping")
    with pytest.raises(AssertionError) as failure:
        sent.assert_sent(to=author)
    assert "TestMessenger -> bob@example.com: 'Ping'" in str(failure.value)


def test_nothing_leaves_the_process_while_capturing(author):
    from django_signal_notifier.messengers.testing import TestMessenger

    TestMessenger.outbox.clear()
    subscribe("post_save", Article, users=[author], messenger="TestMessenger")
    with capture_notifications() as sent:
        Article.objects.create(title="Quiet")
    assert len(sent) == 1
    assert TestMessenger.outbox == []


@pytest.mark.django_db(transaction=True)
def test_capture_in_a_transactional_test(author, reader):
    subscribe("post_save", Comment, users=[author], messenger="TestMessenger")
    article = Article.objects.create(title="Engines", author=author)
    with capture_notifications() as sent:
        Comment.objects.create(article=article, author=reader, text="Committed at once")
        sent.assert_sent(to=author, contains="Committed at once", count=1)
    assert len(sent) == 1


def test_assert_not_sent_takes_the_keywords_of_assert_sent(author, reader):
    from django_signal_notifier import notify

    with capture_notifications() as sent:
        notify("report_ready", recipients=[author], channels=["TestMessenger"], subject="Ready")
    sent.assert_not_sent(to=author, verb="report_deleted")
    sent.assert_not_sent(to=reader, verb="report_ready")
    with pytest.raises(AssertionError, match="Expected 0 notification"):
        sent.assert_not_sent(to=author, verb="report_ready", channel="TestMessenger", contains="Ready")
