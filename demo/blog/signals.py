"""The blog's own signals, registered with django-signal-notifier under a name.

Each is sent with ``instance`` (the comment or the follow), ``actor`` (who did it) and
``target`` (the user it concerns: the article's author, the followed author), so a trigger can
select "comments for alice" with ``target="auth.user:<alice's pk>"``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import Signal

from django_signal_notifier import register_signal

comment_posted = Signal()
author_followed = Signal()


def _comment_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        comment_posted.send(
            sender=type(instance), instance=instance, actor=instance.author, target=instance.article.author
        )


def _follow_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        author_followed.send(sender=type(instance), instance=instance, actor=instance.follower, target=instance.author)


def connect() -> None:
    """Register the verbs and connect the model hooks (called once from ready())."""
    from blog.models import Comment, Follow

    register_signal("comment_posted", comment_posted)
    register_signal("author_followed", author_followed)
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="blog.comment_posted")
    post_save.connect(_follow_saved, sender=Follow, dispatch_uid="blog.author_followed")
