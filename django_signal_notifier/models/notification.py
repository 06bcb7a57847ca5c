"""Notification: the in-site inbox row, which is also the in-site channel's delivery record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.db.models import Count, DateTimeField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.event import Event
from django_signal_notifier.models.indexes import PartialIndex
from django_signal_notifier.signals import inbox_changed, notification_archived, notification_read


def showing_q(now: datetime) -> Q:
    """The notifications shown at ``now``: not snoozed past it, not expired by it."""
    return (Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def _read_values() -> dict[str, Any]:
    """A read notification's columns: read now, and seen now unless it was seen before."""
    now = timezone.now()
    return {"unread": False, "read_at": now, "seen_at": Coalesce("seen_at", Value(now, output_field=DateTimeField()))}


def _database_datetime(value: Any) -> datetime:
    """A datetime read by raw SQL as the ORM would read it: SQLite gives text, SQLite and MariaDB naive UTC."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not a datetime: {value!r}")
        value = parsed
    moment: datetime = value
    if settings.USE_TZ and timezone.is_naive(moment):
        return timezone.make_aware(moment, UTC)
    return moment


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
        """Not archived, not snoozed, not expired: what the inbox and the badge show."""
        return self.filter(archived=False).showing()

    def showing(self, now: datetime | None = None) -> NotificationQuerySet:
        """Neither snoozed (until a later time than ``now``) nor expired (at ``now`` or before)."""
        return self.filter(showing_q(now or timezone.now()))

    def snoozed(self, now: datetime | None = None) -> NotificationQuerySet:
        """Snoozed until a later time than ``now``: hidden from the inbox and its counts until then."""
        return self.filter(snoozed_until__gt=now or timezone.now())

    def expired(self, now: datetime | None = None) -> NotificationQuerySet:
        """Past their ``expires_at``: hidden everywhere, deleted by ``signal_notifier prune``."""
        return self.filter(expires_at__lte=now or timezone.now())

    def unseen(self) -> NotificationQuerySet:
        """Not yet seen in a list or a dropdown (seen is not read: read means opened)."""
        return self.filter(seen_at__isnull=True)

    def archived(self) -> NotificationQuerySet:
        return self.filter(archived=True)

    def mark_all_as_read(self, user: Any = None) -> int:
        """Mark every unread notification (of ``user``, if given) read, in one UPDATE."""
        return self.filter(unread=True)._write(_read_values(), user, announce=notification_read)

    def mark_as_read(self, user: Any = None) -> int:
        """Mark this queryset's notifications read (and seen), one UPDATE, limited to ``user``'s if given."""
        return self.filter(unread=True)._write(_read_values(), user, announce=notification_read)

    def mark_as_unread(self, user: Any = None) -> int:
        """Mark this queryset's notifications unread (one UPDATE), limited to ``user``'s if given."""
        return self.filter(unread=False)._write({"unread": True, "read_at": None}, user)

    def mark_as_seen(self, user: Any = None) -> int:
        """Mark this queryset's unseen notifications seen (one UPDATE), limited to ``user``'s if given."""
        return self.unseen()._write({"seen_at": timezone.now()}, user)

    def mark_all_as_seen(self, user: Any) -> int:
        """Mark everything ``user``'s inbox shows seen (the list or dropdown was opened): one UPDATE.

        Snoozed notifications stay unseen: they come back as new.
        """
        return self.filter(recipient=user).active().mark_as_seen(user)

    def snooze(self, until: datetime, user: Any = None) -> int:
        """Hide these notifications until ``until`` (one UPDATE); they come back unread and unseen."""
        return self.filter(archived=False)._write(
            {"snoozed_until": until, "unread": True, "read_at": None, "seen_at": None}, user
        )

    def unsnooze(self, user: Any = None) -> int:
        """Bring snoozed notifications back now (one UPDATE), limited to ``user``'s if given."""
        return self.filter(snoozed_until__isnull=False)._write({"snoozed_until": None}, user)

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
        return self.filter(recipient=user, unread=True).active().count()

    def unread_state(self, user: Any) -> tuple[int, datetime | None]:
        """How many inbox entries of ``user`` have an active unread row, and the next moment that
        number changes by itself: one query.

        Rows with the same non-empty ``group_key`` are one entry; a row without a key is one alone.
        A snoozed notification waking up, or a counted one expiring, changes the count without
        any write; a cached count is good until that moment (None: until the next write).
        """
        now = timezone.now()
        pending = self.filter(recipient=user, unread=True, archived=False).order_by()
        unread = pending.filter(showing_q(now))
        # Distinct keys, read in order from the unread-groups index (a COUNT(DISTINCT …) or a
        # CASE in the DISTINCT would sort them instead), plus each keyless row but one: the empty
        # key is one of the distinct keys.
        parts = (
            unread.values("group_key").distinct(),
            unread.filter(group_key="").values("pk"),
            pending.filter(snoozed_until__gt=now).values("snoozed_until"),
            pending.filter(expires_at__gt=now).values("expires_at"),
        )
        compiled = [part.query.sql_with_params() for part in parts]
        sql = (
            "SELECT (SELECT COUNT(*) FROM ({}) dsn_keys), (SELECT COUNT(*) FROM ({}) dsn_alone), "
            "(SELECT MIN(snoozed_until) FROM ({}) dsn_wakes), (SELECT MIN(expires_at) FROM ({}) dsn_expires)"
        ).format(*(part_sql for part_sql, _params in compiled))
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [param for _sql, params in compiled for param in params])
            keys, alone, wakes, expires = cursor.fetchone()
        moments = [_database_datetime(value) for value in (wakes, expires) if value is not None]
        return int(keys) + max(int(alone) - 1, 0), min(moments, default=None)

    def unread_entry_count(self, user: Any) -> int:
        """How many inbox entries of ``user`` have an active unread row (one query)."""
        return self.unread_state(user)[0]

    def unread_entry_counts(self, user_ids: Iterable[Any]) -> dict[int, int]:
        """:meth:`unread_entry_count` of many users at once, by user id (one query; a user with
        none is left out): what the realtime stream tells every listening user after a write."""
        rows = (
            self.filter(recipient_id__in=list(user_ids), unread=True, archived=False)
            .filter(showing_q(timezone.now()))
            .values("recipient_id")
            .annotate(
                keys=Count("group_key", distinct=True, filter=~Q(group_key="")),
                alone=Count("pk", filter=Q(group_key="")),
            )
            .order_by()
        )
        return {int(row["recipient_id"]): int(row["keys"]) + int(row["alone"]) for row in rows}

    def counts(self, user: Any) -> dict[str, int]:
        """``user``'s folder sizes in one query.

        ``unread`` (active), ``unseen`` (active), ``active``, ``snoozed``, ``archived`` and
        ``total``; expired notifications are in none of them.
        """
        now = timezone.now()
        showing = showing_q(now)
        active = Q(archived=False) & showing
        found = (
            self.filter(recipient=user)
            .exclude(expires_at__lte=now)
            .aggregate(
                unread=Count("pk", filter=active & Q(unread=True)),
                unseen=Count("pk", filter=active & Q(seen_at__isnull=True)),
                active=Count("pk", filter=active),
                snoozed=Count("pk", filter=Q(archived=False, snoozed_until__gt=now)),
                archived=Count("pk", filter=Q(archived=True)),
                total=Count("pk"),
            )
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
            inbox_changed.send(sender=Notification, user_ids=user_ids, using=qs.db, change=values)
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
        inbox_changed.send(sender=Notification, user_ids=user_ids, using=qs.db, change=values, notification_ids=ids)
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
    # Seen: shown in a list or a dropdown the user opened. Read: opened (or marked read).
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    snoozed_until = models.DateTimeField(
        _("snoozed until"), null=True, blank=True, help_text=_("Hidden until then; it comes back unread.")
    )
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Hidden after this moment, and deleted by the prune command.")
    )
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
            # The unread count reads only this index's entries of one user: no table rows (the
            # snooze and expiry columns are in it for the count's "shown now" condition).
            PartialIndex(
                fields=["recipient", "snoozed_until", "expires_at"],
                where=Q(unread=True, archived=False),
                fallback_fields=["recipient", "unread", "archived", "snoozed_until", "expires_at"],
                name="dsn_inbox_unread",
            ),
            # What the prune command deletes: only the rows that expire are in it.
            PartialIndex(
                fields=["expires_at"],
                where=Q(expires_at__isnull=False),
                fallback_fields=["expires_at"],
                name="dsn_inbox_expires",
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
            self.read_at = timezone.now()
            self.seen_at = self.seen_at or self.read_at
            type(self).objects.filter(pk=self.pk).mark_as_read(self.recipient_id)

    def mark_as_unread(self) -> None:
        """Mark this notification unread (one UPDATE)."""
        if not self.unread:
            self.unread = True
            self.read_at = None
            type(self).objects.filter(pk=self.pk).mark_as_unread(self.recipient_id)


def _notification_changed(sender: Any, instance: Notification, **kwargs: Any) -> None:
    """A row saved one by one (admin, shell): invalidate its recipient's cache.

    No post_delete receiver on purpose: it would turn the cascade of a user's deletion into a
    row-by-row delete. Bulk writes go through the queryset methods, which invalidate themselves.
    """
    inbox_changed.send(sender=Notification, user_ids=[instance.recipient_id], using=kwargs.get("using"))


post_save.connect(_notification_changed, sender=Notification, dispatch_uid="dsn_notification_saved")
