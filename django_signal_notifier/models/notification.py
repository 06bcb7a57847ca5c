"""Notification: the in-site inbox row, which is also the in-site channel's delivery record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.db.models import Count, Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.event import Event
from django_signal_notifier.models.indexes import PartialIndex
from django_signal_notifier.signals import inbox_changed, notification_archived, notification_read


class NotificationQuerySet(models.QuerySet[Any]):
    """Inbox queries. Every write is one UPDATE and invalidates the affected users' cached counts."""

    def for_user(self, user: Any) -> NotificationQuerySet:
        """The notifications of ``user`` (a user or a user id)."""
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(unread=True)

    def read(self) -> NotificationQuerySet:
        return self.filter(unread=False)

    def active(self) -> NotificationQuerySet:
        """Not archived: what the inbox and the badge show."""
        return self.filter(archived=False)

    def archived(self) -> NotificationQuerySet:
        return self.filter(archived=True)

    def mark_all_as_read(self, user: Any = None) -> int:
        """Mark every unread notification (of ``user``, if given) read, in one UPDATE."""
        return self.filter(unread=True)._write({"unread": False}, user, announce=notification_read)

    def mark_as_read(self, user: Any = None) -> int:
        """Mark this queryset's notifications read (one UPDATE), limited to ``user``'s if given."""
        return self.filter(unread=True)._write({"unread": False}, user, announce=notification_read)

    def mark_as_unread(self, user: Any = None) -> int:
        """Mark this queryset's notifications unread (one UPDATE), limited to ``user``'s if given."""
        return self.filter(unread=False)._write({"unread": True}, user)

    def archive(self, user: Any = None) -> int:
        """Archive this queryset's notifications (one UPDATE), limited to ``user``'s if given.

        Archived notifications leave the inbox and its counts; they are kept, not deleted.
        """
        return self.filter(archived=False)._write({"archived": True}, user, announce=notification_archived)

    def unarchive(self, user: Any = None) -> int:
        """Bring archived notifications back into the inbox (one UPDATE), limited to ``user``'s if given."""
        return self.filter(archived=True)._write({"archived": False}, user)

    def unread_count(self, user: Any) -> int:
        """How many active unread notifications ``user`` has (one COUNT; see ``cached_unread_count``)."""
        return self.filter(recipient=user, unread=True, archived=False).count()

    def unread_entry_count(self, user: Any) -> int:
        """How many inbox entries of ``user`` have an active unread row (one query).

        Rows with the same non-empty ``group_key`` are one entry; a row without a key is one alone.
        """
        # Distinct keys, read in order from the unread-groups index (a COUNT(DISTINCT …) or a
        # CASE in the DISTINCT would sort them instead), plus each keyless row but one: the empty
        # key is one of the distinct keys.
        unread = self.filter(recipient=user, unread=True, archived=False).order_by()
        keys_sql, keys_params = unread.values("group_key").distinct().query.sql_with_params()
        alone_sql, alone_params = unread.filter(group_key="").values("pk").query.sql_with_params()
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({keys_sql}) dsn_keys), (SELECT COUNT(*) FROM ({alone_sql}) dsn_alone)",
                (*keys_params, *alone_params),
            )
            keys, alone = cursor.fetchone()
        return int(keys) + max(int(alone) - 1, 0)

    def counts(self, user: Any) -> dict[str, int]:
        """``user``'s folder sizes in one query: ``unread`` (active), ``active``, ``archived``, ``total``."""
        active, unread = Q(archived=False), Q(archived=False, unread=True)
        found = self.filter(recipient=user).aggregate(
            unread=Count("pk", filter=unread),
            active=Count("pk", filter=active),
            archived=Count("pk", filter=Q(archived=True)),
            total=Count("pk"),
        )
        return {name: int(value or 0) for name, value in found.items()}

    def _write(self, values: dict[str, Any], user: Any, announce: Any = None) -> int:
        qs = self if user is None else self.filter(recipient=user)
        if announce is not None and announce.receivers:
            return self._write_announced(qs, values, announce)
        changed = qs.update(**values)
        if changed:
            # A write scoped to one user invalidates that user's cache; any other write, everyone's.
            user_ids = None if user is None else [getattr(user, "pk", user)]
            inbox_changed.send(sender=Notification, user_ids=user_ids, using=qs.db)
        return changed

    def _write_announced(self, qs: NotificationQuerySet, values: dict[str, Any], announce: Any) -> int:
        """The write, then ``announce`` sent with the rows it changed (only when someone listens)."""
        with transaction.atomic(using=qs.db):
            rows = list(qs.select_for_update().values_list("pk", "recipient_id"))
            if not rows:
                return 0
            ids = [pk for pk, _recipient in rows]
            changed = self.model.objects.using(qs.db).filter(pk__in=ids).update(**values)
        user_ids = sorted({recipient for _pk, recipient in rows})
        inbox_changed.send(sender=Notification, user_ids=user_ids, using=qs.db)
        announce.send(sender=Notification, notification_ids=ids, user_ids=user_ids, using=qs.db)
        return int(changed)


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
    # Rows of one recipient with the same non-empty key are one inbox entry; "" stands alone.
    group_key = models.CharField(_("group"), max_length=255, blank=True, default="")
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
            PartialIndex(
                fields=["recipient", "-created_at", "-id"],
                where=Q(archived=False),
                fallback_fields=["recipient", "archived", "-created_at", "-id"],
                name="dsn_inbox_newest",
            ),
            # The unread count reads only this index's entries of one user: no table rows.
            PartialIndex(
                fields=["recipient"],
                where=Q(unread=True, archived=False),
                fallback_fields=["recipient", "unread", "archived"],
                name="dsn_inbox_unread",
            ),
            # The grouped page reads each group's members in order from this index.
            models.Index(fields=["recipient", "group_key", "-created_at"], name="dsn_inbox_group"),
            # The badge counts unread entries (distinct keys) from this index alone.
            PartialIndex(
                fields=["recipient", "group_key"],
                where=Q(unread=True, archived=False),
                fallback_fields=["recipient", "unread", "archived", "group_key"],
                name="dsn_inbox_unread_group",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.actor_text} {self.verb} {self.action_object_text}".strip()

    def mark_as_read(self) -> None:
        """Mark this notification read (one UPDATE)."""
        if self.unread:
            self.unread = False
            type(self).objects.filter(pk=self.pk).mark_as_read(self.recipient_id)

    def mark_as_unread(self) -> None:
        """Mark this notification unread (one UPDATE)."""
        if not self.unread:
            self.unread = True
            type(self).objects.filter(pk=self.pk).mark_as_unread(self.recipient_id)


def _notification_changed(sender: Any, instance: Notification, **kwargs: Any) -> None:
    """A row saved one by one (admin, shell): invalidate its recipient's cache.

    No post_delete receiver on purpose: it would turn the cascade of a user's deletion into a
    row-by-row delete. Bulk writes go through the queryset methods, which invalidate themselves.
    """
    inbox_changed.send(sender=Notification, user_ids=[instance.recipient_id], using=kwargs.get("using"))


post_save.connect(_notification_changed, sender=Notification, dispatch_uid="dsn_notification_saved")
