"""The demo project: `demo_setup` is idempotent and leaves a working demo; the blog's notifications route right."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from blog.models import Article, Comment, Follow
from django_signal_notifier import declare
from django_signal_notifier.inbox.grouping import entries_page
from django_signal_notifier.inbox.queries import unread_count
from django_signal_notifier.models import Backend, Delivery, Notification, Subscription, Trigger
from django_signal_notifier.quickstart import models as quickstart

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]


def run_setup() -> str:
    out = StringIO()
    call_command("demo_setup", stdout=out)
    return out.getvalue()


def configuration_rows() -> tuple[int, int, int]:
    return Trigger.objects.count(), Backend.objects.count(), Subscription.objects.count()


def test_demo_setup_prints_the_logins_and_is_idempotent(capfd: Any) -> None:
    printed = run_setup()
    for login in ("admin / admin", "alice / alice", "bob / bob"):
        assert login in printed
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.get(username="alice").check_password("alice")
    rows = configuration_rows()
    articles, comments = Article.objects.count(), Comment.objects.count()
    notifications = Notification.objects.count()
    assert articles == 2 and comments == 2 and notifications == 2

    users.filter(username="bob").update(password="changed")
    run_setup()
    assert configuration_rows() == rows
    assert (Article.objects.count(), Comment.objects.count(), Notification.objects.count()) == (2, 2, 2)
    assert users.get(username="bob").check_password("bob")  # the printed logins always work


def test_seeded_comment_is_waiting_in_alices_inbox() -> None:
    run_setup()
    inbox = Notification.objects.for_user(get_user_model().objects.get(username="alice")).unread()
    assert [n.title for n in inbox] == ["bob commented on “Hello from Alice”"]
    assert inbox[0].url.startswith("/articles/hello-from-alice/#comment-")


def test_quickstart_trigger_prints_once_for_admin(capfd: Any) -> None:
    run_setup()
    capfd.readouterr()
    quickstart.TestModel1.objects.create(name="new_test_model2", extra_field="extra")
    printed = capfd.readouterr().out
    assert printed.count("[django-signal-notifier] pre_save on test model1 “new_test_model2” for admin") == 1


def test_blog_routes_comments_and_follows_to_the_author_only() -> None:
    run_setup()
    users = get_user_model().objects
    alice, bob, admin = (users.get(username=name) for name in ("alice", "bob", "admin"))
    article = Article.objects.get(slug="hello-from-alice")
    before = {u: Notification.objects.for_user(u).count() for u in (alice, bob, admin)}

    Comment.objects.create(article=article, author=alice, body="Replying to myself")  # no self-notification
    Comment.objects.create(article=article, author=admin, body="From the admin")
    Follow.objects.create(follower=bob, author=alice)

    after = {u: Notification.objects.for_user(u).count() for u in (alice, bob, admin)}
    assert after == {alice: before[alice] + 2, bob: before[bob], admin: before[admin]}
    titles = list(Notification.objects.for_user(alice).values_list("title", flat=True)[:2])
    assert titles == ["bob started following you", "admin commented on “Hello from Alice”"]


def test_two_comments_on_one_article_are_one_inbox_entry() -> None:
    run_setup()
    users = get_user_model().objects
    alice, bob = users.get(username="alice"), users.get(username="bob")
    article = Article.objects.get(slug="hello-from-alice")
    Notification.objects.filter(recipient=alice).delete()
    Comment.objects.create(article=article, author=bob, body="First")
    Comment.objects.create(article=article, author=bob, body="Second")
    (entry,) = entries_page(alice).object_list
    assert entry.entry.size == 2 and entry.summary == "bob commented on “Hello from Alice”"
    assert unread_count(alice) == 1


def test_a_new_author_is_notified_without_new_configuration() -> None:
    run_setup()
    rows = configuration_rows()
    carol = get_user_model().objects.create_user("carol", "carol@example.com", "carol")
    article = Article.objects.create(author=carol, slug="carol", title="Carol writes", body="…")
    Comment.objects.create(article=article, author=get_user_model().objects.get(username="bob"), body="Hi Carol")
    assert Notification.objects.for_user(carol).get().title == "bob commented on “Carol writes”"
    assert configuration_rows() == rows


def test_blog_pages_comment_follow_and_inbox_through_the_views(client: Any) -> None:
    run_setup()
    article = Article.objects.get(slug="hello-from-alice")
    assert client.get("/").status_code == 200
    assert "Hello from Alice" in client.get(article.get_absolute_url()).content.decode()

    anonymous_post = client.post(article.get_absolute_url(), {"body": "anonymous"})
    assert anonymous_post.status_code == 302 and "/accounts/login/" in anonymous_post["Location"]
    assert not Comment.objects.filter(body="anonymous").exists()

    client.login(username="bob", password="bob")
    posted = client.post(article.get_absolute_url(), {"body": "From the test client"})
    comment = Comment.objects.get(body="From the test client")
    assert posted["Location"] == comment.get_absolute_url()
    assert client.post("/authors/alice/follow/").status_code == 302
    assert Follow.objects.filter(follower__username="bob", author__username="alice").exists()
    client.post("/authors/alice/follow/")  # the same button unfollows
    assert not Follow.objects.exists()

    client.login(username="alice", password="alice")
    page = client.get("/inbox/").content.decode()
    assert 'id="unread-count">3<' in page  # seeded comment, bob's comment, bob's follow
    assert "bob commented on “Hello from Alice”" in page and "bob started following you" in page
    client.post("/inbox/read/")
    assert 'id="unread-count"' not in client.get("/inbox/").content.decode()
    client.logout()
    assert client.get("/inbox/")["Location"].startswith("/accounts/login/")


def test_the_blog_declares_nothing_before_its_first_author() -> None:
    declare.sync()
    assert configuration_rows() == (0, 0, 0)


def test_muting_a_comments_notification_mutes_its_article_on_every_channel() -> None:
    run_setup()
    users = get_user_model().objects
    alice, admin = users.get(username="alice"), users.get(username="admin")
    article = Article.objects.get(slug="hello-from-alice")
    seeded = Notification.objects.for_user(alice).get()
    client = Client()
    client.force_login(alice)
    assert "Mute “Hello from Alice”" in client.get("/notifications/").content.decode()
    client.post(f"/notifications/api/notifications/{seeded.pk}/mute/")
    before = Delivery.objects.filter(recipient=alice).count()
    Comment.objects.create(article=article, author=admin, body="Nobody hears this")
    assert Notification.objects.for_user(alice).count() == 1
    assert Delivery.objects.filter(recipient=alice).count() == before  # no email either
    client.post(f"/notifications/api/notifications/{seeded.pk}/follow/")
    Comment.objects.create(article=article, author=admin, body="Heard again")
    assert Notification.objects.for_user(alice).count() == 2
