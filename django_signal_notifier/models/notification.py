"""Notification: the in-site inbox row, which is also the in-site channel's delivery record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.event import Event


class NotificationQuerySet(models.QuerySet[Any]):
    """Inbox queries; every write is one UPDATE."""

    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(unread=True)

    def read(self) -> NotificationQuerySet:
        return self.filter(unread=False)

    def active(self) -> NotificationQuerySet:
        return self.filter(archived=False)

    def mark_all_as_read(self, user: Any = None) -> int:
        qs = self.filter(unread=True)
        if user is not None:
            qs = qs.filter(recipient=user)
        return qs.update(unread=False)

    def unread_count(self, user: Any) -> int:
        return self.filter(recipient=user, unread=True, archived=False).count()


class Notification(models.Model):
    """One message in one user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signal_notifications",
        verbose_name=_("recipient"),
    )
    verb = models.CharField(_("verb"), max_length=128)
    actor_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_object_id = models.CharField(max_length=255, blank=True)
    actor_text = models.CharField(_("actor"), max_length=255, blank=True)
    action_object_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_object_id = models.CharField(max_length=255, blank=True)
    action_object_text = models.CharField(_("object"), max_length=255, blank=True)
    target_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_object_id = models.CharField(max_length=255, blank=True)
    target_text = models.CharField(_("target"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    unread = models.BooleanField(_("unread"), default=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Partial, so that "NOT archived" (how Django writes archived=False) matches it and the
            # newest page is read from the index in order, however large the inbox.
            models.Index(
                fields=["recipient", "-created_at", "-id"], condition=models.Q(archived=False), name="dsn_inbox_newest"
            ),
            # The unread count reads only this index's entries of one user: no table rows.
            models.Index(
                fields=["recipient"], condition=models.Q(unread=True, archived=False), name="dsn_inbox_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.actor_text} {self.verb} {self.action_object_text}".strip()
