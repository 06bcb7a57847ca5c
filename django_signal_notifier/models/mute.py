"""Mute: a user who asked to hear no more about one object or thread, on any channel, until they follow it again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MuteQuerySet(models.QuerySet[Any]):
    """Queries over users' mutes."""

    def for_user(self, user: Any) -> MuteQuerySet:
        """The mutes of ``user`` (a user or a user id)."""
        return self.filter(user=user)

    def mute(self, user: Any, content_type_id: int, object_id: str, text: str = "") -> Mute:
        """Mute the object for ``user`` (idempotent: an existing mute is returned as it is)."""
        user_id = getattr(user, "pk", user)
        existing: Mute | None = self.filter(
            user_id=user_id, content_type_id=content_type_id, object_id=object_id
        ).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic(using=self.db):
                created: Mute = self.create(
                    user_id=user_id, content_type_id=content_type_id, object_id=object_id, text=text[:255]
                )
                return created
        except IntegrityError:  # the same mute written meanwhile by another request
            found: Mute = self.get(user_id=user_id, content_type_id=content_type_id, object_id=object_id)
            return found

    def follow(self, user: Any, content_type_id: int, object_id: str) -> int:
        """Undo ``user``'s mute of the object: they are notified about it again. How many rows went."""
        deleted, _rows = self.filter(
            user=getattr(user, "pk", user), content_type_id=content_type_id, object_id=object_id
        ).delete()
        return int(deleted)


class Mute(models.Model):
    """One user's "stop notifying me about this": the fan-out leaves them out of every event about it.

    An event is about its action object and its target: muting an article silences the article's
    own changes and every comment whose target it is, on every channel.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signal_notifier_mutes",
        verbose_name=_("user"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(_("object id"), max_length=255)
    text = models.CharField(_("object"), max_length=255, blank=True, help_text=_("Its name when it was muted."))
    created_at = models.DateTimeField(_("muted at"), default=timezone.now)

    objects = MuteQuerySet.as_manager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Also the index the fan-out's anti-join probes: (user, content type, object id).
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="dsn_mute_unique"),
        ]

    def __str__(self) -> str:
        return self.text or f"{self.content_type_id}:{self.object_id}"
