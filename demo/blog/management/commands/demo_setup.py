"""``manage.py demo_setup``: make the demo ready to use, as often as you like (idempotent).

Migrates, creates the demo logins (resetting their passwords), configures the 0.2.1
quickstart trigger as an admin would, applies the blog's notifications declared in code,
seeds articles and comments, then prints the logins and what to try.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from blog.notifications import blog_notifications
from django_signal_notifier import declare
from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.quickstart.models import TestModel1

LOGINS = [
    # (username, password, email, superuser)
    ("admin", "admin", "admin@example.com", True),
    ("alice", "alice", "alice@example.com", False),
    ("bob", "bob", "bob@example.com", False),
]

ARTICLES = [
    # (author, slug, title, body, [(commenter, comment)])
    (
        "alice",
        "hello-from-alice",
        "Hello from Alice",
        "This blog notifies me when someone comments on my articles.\n\nTry it: log in as bob and comment.",
        [("bob", "Welcome, Alice! This comment put a notification in your inbox.")],
    ),
    (
        "bob",
        "signals-are-events",
        "Signals are events",
        "Every Django signal can become a notification: configured in the admin or in code.",
        [("alice", "And nothing is sent when the transaction rolls back.")],
    ),
]


class Command(BaseCommand):
    help = "Prepare the demo: migrate, demo logins, quickstart trigger, blog notifications, seed data."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        users = self.create_logins()
        self.configure_quickstart(users["admin"])
        blog_notifications(declare.Declarer())  # declared in code: blog/notifications.py
        declare.sync()  # any other declarations of the project
        self.seed(users)
        self.report()

    def create_logins(self) -> dict[str, Any]:
        user_model = get_user_model()
        users = {}
        for username, password, email, superuser in LOGINS:
            user, _ = user_model._default_manager.get_or_create(username=username, defaults={"email": email})
            user.email = user.email or email
            user.is_staff = user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
            users[username] = user
        return users

    @transaction.atomic
    def configure_quickstart(self, admin: Any) -> None:
        """0.2.1's quickstart: pre_save on TestModel1 -> print messenger -> the admin user."""
        content_type = ContentType.objects.get_for_model(TestModel1)
        trigger = Trigger.objects.filter(
            verb="pre_save", action_object_content_type=content_type, action_object_id=None, key=None
        ).first()
        if trigger is None:
            trigger = Trigger(verb="pre_save", action_object_content_type=content_type)
            trigger.full_clean()
            trigger.save()
        backend = Backend.objects.filter(
            messenger="SimplePrintMessengerTemplateBased", message_template="SimplePrintMessageTemplate", key=None
        ).first()
        if backend is None:
            backend = Backend(
                messenger="SimplePrintMessengerTemplateBased", message_template="SimplePrintMessageTemplate"
            )
            backend.full_clean()
            backend.save()
        subscription = Subscription.objects.filter(trigger=trigger, key=None).first()
        if subscription is None:
            subscription = Subscription.objects.create(trigger=trigger)
        subscription.backends.add(backend)
        subscription.receiver_users.add(admin)

    def seed(self, users: dict[str, Any]) -> None:
        from blog.models import Article, Comment

        for author, slug, title, body, comments in ARTICLES:
            article, created = Article.objects.get_or_create(
                slug=slug, defaults={"author": users[author], "title": title, "body": body}
            )
            if created:
                for commenter, text in comments:
                    Comment.objects.create(article=article, author=users[commenter], body=text)

    def report(self) -> None:
        from blog.notifications import email_available

        write = self.stdout.write
        write(self.style.SUCCESS("\nThe demo is ready: http://127.0.0.1:8000/"))
        write("\nLogins (username / password):")
        for username, password, _email, superuser in LOGINS:
            write(f"  {username} / {password}" + ("   (superuser: http://127.0.0.1:8000/admin/)" if superuser else ""))
        write("\nTry:")
        write("  1. Log in as alice: the red 1 on Notifications is unread; it opens her inbox (bob's comment).")
        write("  2. Log in as bob in a private window, comment on “Hello from Alice”; within 2 s alice's")
        write(
            "     badge counts it, without a reload"
            + (", and the email is printed here." if email_available() else ".")
        )
        write("     Preferences (as alice) turns the email or the inbox off, per kind of notification.")
        write("  3. The 0.2.1 quickstart, in another terminal (it prints the message for admin):")
        write(
            "     .venv/bin/python demo/manage.py shell -c "
            '"from django_signal_notifier.models import *; '
            "TestModel1.objects.create(name='new_test_model2', extra_field='extra')\""
        )
        write("  4. The admin lists triggers, subscriptions, events, deliveries and notifications.\n")
