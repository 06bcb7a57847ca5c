"""The blog's own signals, registered with django-signal-notifier under a name.

Each is sent with ``instance`` (the comment or the follow), ``actor`` (who did it) and
``target`` (what it is about: the commented article, the followed author). The article as the
comment's target is its thread: the inbox's *Mute* on a comment's notification mutes the
article, and no later comment on it reaches the muting user, on any channel.
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
            sender=type(instance), instance=instance, actor=instance.author, target=instance.article
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
