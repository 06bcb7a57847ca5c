"""Profile: where and when a user is reached: a Telegram chat, their time zone, quiet hours, digest frequency."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestFrequency(models.TextChoices):
    """How often a user wants their notifications: each at once, or gathered into one message."""

    DEFAULT = "", _("as each notification is set up")
    IMMEDIATELY = "immediately", _("immediately")
    HOURLY = "hourly", _("hourly digest")
    DAILY = "daily", _("daily digest")
    WEEKLY = "weekly", _("weekly digest")


DIGEST_SECONDS = {DigestFrequency.HOURLY: 3600, DigestFrequency.DAILY: 86400, DigestFrequency.WEEKLY: 7 * 86400}


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as Europe/Paris."""
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone: give an IANA name such as Europe/Paris or America/New_York."),
            params={"value": value},
        )


class Profile(models.Model):
    """A user's addresses and delivery times kept by the package.

    Their Telegram chat id and X handle; their time zone and quiet hours (non-urgent messages due
    between ``quiet_hours_start`` and ``quiet_hours_end``, local time, are held until the end; a
    window may run over midnight); how often they want a digest instead of each message.

    The Telegram channel's default ``TELEGRAM_CHAT_ID`` reads the user's own ``telegram_chat_id``
    attribute when the user model has one, else this row. Upgrading from 0.2.1 moves every
    ``DSN_Profile`` row here (migration 0003); ``DSN_Profile`` is this class's 0.2.1 name.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signal_notifier_profile",
        verbose_name=_("user"),
    )
    telegram_chat_id = models.CharField(
        _("Telegram chat id"),
        max_length=64,
        blank=True,
        help_text=_("The chat the Telegram bot writes to: a number such as 78067664, or -100… for a group."),
    )
    x_handle = models.CharField(
        _("X handle"),
        max_length=16,
        blank=True,
        help_text=_("The user's X (Twitter) username for direct messages, such as jack (with or without @)."),
    )

    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("An IANA name such as Europe/Paris. Empty: the site's time zone."),
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours from"), null=True, blank=True, help_text=_("Local time, e.g. 22:00. Empty: no quiet hours.")
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours until"), null=True, blank=True, help_text=_("Local time, e.g. 07:00.")
    )
    digest_frequency = models.CharField(
        _("digest frequency"),
        max_length=16,
        choices=DigestFrequency.choices,
        blank=True,
        default=DigestFrequency.DEFAULT,
    )

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        """Quiet hours need both ends, and two different times."""
        super().clean()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if (start is None) != (end is None):
            raise ValidationError(_("Give both ends of the quiet hours, or neither."))
        if start is not None and start == end:
            raise ValidationError(_("Quiet hours must start and end at different times."))
