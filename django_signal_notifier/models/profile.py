"""Profile: where a user is reached on channels that have no field on the user model (0.2.1's DSN_Profile)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """A user's addresses kept by the package: their Telegram chat id and their X handle.

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

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return str(self.user)
