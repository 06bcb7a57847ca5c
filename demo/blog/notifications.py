"""The blog's notifications, declared in code with ``django_signal_notifier.config.declare``.

A comment on an article notifies the article's author in the in-site inbox (the comments on one
article grouped into one entry) and by email; a new
follower notifies the followed author in the inbox. The receivers are dynamic: field paths from
the comment (``article.author``) and the follow (``author``), without the actor. Declarations
are keyed, so running them again (``manage.py signal_notifier sync``, ``migrate``,
``demo_setup``) updates the same rows; the admin shows them.
"""

from __future__ import annotations

from typing import Any

from django_signal_notifier import declare
from django_signal_notifier.messengers import messenger_registry
from django_signal_notifier.rendering import MessageTemplate, register_message_template


@register_message_template
class BlogActivityTemplate(MessageTemplate):
    """'bob commented on “Hello”' with the comment as the body; 'bob started following you'.

    The link is ``instance_url``: absolute with ``SITE_URL`` (demo/settings.py), so it works in
    the email too, where the email channel adds it below the text.
    """

    label = "Blog activity (demo)"
    subject = (
        '{% if verb == "comment_posted" %}{{ actor }} commented on “{{ instance.article }}”'
        "{% else %}{{ actor }} started following you{% endif %}"
    )
    template_string = '{% if verb == "comment_posted" %}{{ instance.body }}{% else %}{{ actor }} now follows your articles.{% endif %}'
    url = "{{ instance_url }}"


def email_available() -> bool:
    """Whether a messenger named EmailMessenger is registered (the email channel ships separately)."""
    return "EmailMessenger" in messenger_registry


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


def blog_notifications(d: declare.Declarer) -> None:
    """The declaration function run by ``signal_notifier sync``, after ``migrate`` and by ``demo_setup``.

    The receivers come from the event: the commented article's author, the followed author.
    """
    backends = declare_backends(d)
    comments = d.trigger(
        "blog-comment-posted", verb="comment_posted", model="blog.Comment", name="Blog: a comment was posted"
    )
    d.subscription(
        "blog-comments-to-the-article-author",
        trigger=comments,
        backends=list(backends.values()),
        receiver_field_paths=["article.author"],
        exclude_actor=True,
        # Comments on one article are one inbox entry ("bob and carol commented on …"): each
        # comment is its own object, so the default (same verb and object) never groups them.
        group_by="verb_target",
        name="Blog: comments to the article's author",
    )
    follows = d.trigger(
        "blog-author-followed", verb="author_followed", model="blog.Follow", name="Blog: an author was followed"
    )
    d.subscription(
        "blog-follows-to-the-author",
        trigger=follows,
        backends=[backends["inbox"]],
        receiver_field_paths=["author"],
        exclude_actor=True,
        name="Blog: new followers to the author",
    )


def declare_once_the_blog_has_articles(d: declare.Declarer) -> None:
    """The ``on_sync`` hook: an empty blog (a fresh or test database) gets no rows of ours."""
    from blog.models import Article

    if Article.objects.exists():
        blog_notifications(d)


def register() -> None:
    """Run the declarations on ``signal_notifier sync`` and after ``migrate`` (called from ready())."""
    declare.on_sync(declare_once_the_blog_has_articles)
