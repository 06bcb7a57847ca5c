"""The blog's notifications, declared in code with ``django_signal_notifier.declare``.

A comment on an article notifies the article's author in the in-site inbox and by email; a
new follower notifies the followed author in the inbox. The blog's signals carry the
concerned user as ``target``, so each author has a trigger that selects the sends meant for
them (``target="auth.user:<pk>"``) and a subscription that delivers them to that author.
Declarations are keyed, so running them again (``manage.py signal_notifier sync``,
``migrate``, ``demo_setup``) updates the same rows; the admin shows them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from django_signal_notifier import declare
from django_signal_notifier.message_templates import MessageTemplate, register_message_template
from django_signal_notifier.messengers import messenger_registry

SITE_URL = "http://127.0.0.1:8000"


@register_message_template
class BlogActivityTemplate(MessageTemplate):
    """'bob commented on “Hello”' with the comment as the body; 'bob started following you'."""

    label = "Blog activity (demo)"
    subject = (
        '{% if verb == "comment_posted" %}{{ actor }} commented on “{{ instance.article }}”'
        "{% else %}{{ actor }} started following you{% endif %}"
    )
    template_string = (
        '{% if verb == "comment_posted" %}{{ actor }} wrote on “{{ instance.article }}”:\n\n{{ instance.body }}\n\n'
        "Read it: " + SITE_URL + "{{ instance_url }}"
        "{% else %}{{ actor }} now follows your articles: " + SITE_URL + "{{ instance_url }}{% endif %}"
    )
    url = "{{ instance_url }}"


def email_available() -> bool:
    """Whether a messenger named EmailMessenger is registered (the email channel ships separately)."""
    return "EmailMessenger" in messenger_registry


def comment_key(author: Any) -> str:
    return f"blog-comments-for-{author.pk}"


def follow_key(author: Any) -> str:
    return f"blog-follows-for-{author.pk}"


def declare_backends(d: declare.Declarer) -> dict[str, Any]:
    """The blog's channels: the in-site inbox, and email when an email messenger is installed."""
    backends = {
        "inbox": d.backend(
            "blog-inbox", messenger="InSiteMessenger", message_template="BlogActivityTemplate", name="Blog: inbox"
        )
    }
    if email_available():
        backends["email"] = d.backend(
            "blog-email", messenger="EmailMessenger", message_template="BlogActivityTemplate", name="Blog: email"
        )
    return backends


def declare_author(d: declare.Declarer, author: Any, backends: dict[str, Any]) -> None:
    """One author's triggers and subscriptions: comments on their articles, new followers."""
    user_label = author._meta.label_lower
    comments = d.trigger(
        comment_key(author),
        verb="comment_posted",
        model="blog.Comment",
        target=f"{user_label}:{author.pk}",
        name=f"Blog: a comment on an article by {author.get_username()}",
    )
    d.subscription(
        comment_key(author),
        trigger=comments,
        backends=list(backends.values()),
        users=[author],
        name=f"Blog: comments to {author.get_username()}",
    )
    follows = d.trigger(
        follow_key(author),
        verb="author_followed",
        model="blog.Follow",
        target=f"{user_label}:{author.pk}",
        name=f"Blog: {author.get_username()} gets a follower",
    )
    d.subscription(
        follow_key(author),
        trigger=follows,
        backends=[backends["inbox"]],
        users=[author],
        name=f"Blog: followers of {author.get_username()}",
    )


def blog_notifications(d: declare.Declarer) -> None:
    """The declaration function run by ``signal_notifier sync`` and after ``migrate``.

    A blog without authors declares nothing: the backends come with the first author.
    """
    authors = list(get_user_model()._default_manager.filter(articles__isnull=False).distinct().order_by("pk"))
    if not authors:
        return
    backends = declare_backends(d)
    for author in authors:
        declare_author(d, author, backends)


def ensure_author_subscriptions(author: Any) -> None:
    """Declare a new author's subscriptions when they publish their first article."""
    from django_signal_notifier.models import Subscription

    if Subscription.objects.filter(key=comment_key(author)).exists():
        return
    d = declare.Declarer()
    with transaction.atomic():
        declare_author(d, author, declare_backends(d))


def register() -> None:
    """Run the declarations on ``signal_notifier sync`` and after ``migrate`` (called from ready())."""
    declare.on_sync(blog_notifications)
