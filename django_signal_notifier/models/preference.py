"""Preference: a user's choice to receive (or not) a subscription's messages on a channel."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.subscription import Subscription


class Preference(models.Model):
    """One opt-out (or opt-back-in) of a user.

    An empty ``subscription`` means every subscription, an empty ``channel`` every channel. The
    most specific row wins: (subscription, channel), then (subscription, any channel), then
    (any subscription, channel), then (any, any). Without a row a user receives everything.
    Mandatory subscriptions ignore preferences.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signal_notifier_preferences",
        verbose_name=_("user"),
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("subscription"),
        help_text=_("Empty: every subscription."),
    )
    channel = models.CharField(
        _("channel"), max_length=128, blank=True, help_text=_("A messenger name. Empty: every channel.")
    )
    # Messages sent from code (notify()) belong to no subscription: an opt-out of them names their verb.
    verb = models.CharField(
        _("verb"),
        max_length=128,
        blank=True,
        help_text=_("Only for messages sent from code with this verb (no subscription). Empty: subscriptions."),
    )
    enabled = models.BooleanField(_("receive"), default=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # The subscription's id, 0 for "every subscription": computed by the database, so that one
    # plain unique constraint holds on every database (NULLs are distinct in a unique constraint,
    # and MySQL/MariaDB have no conditional ones).
    subscription_scope = models.GeneratedField(
        expression=Coalesce("subscription", 0),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("subscription"),
    )

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["user_id", "subscription_id", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subscription_scope", "verb", "channel"], name="dsn_preference_unique_verb"
            ),
        ]

    def __str__(self) -> str:
        what = self.subscription_id or (f"verb {self.verb}" if self.verb else "*")
        return f"{self.user_id} · {what} · {self.channel or '*'}: {'on' if self.enabled else 'off'}"

    def clean(self) -> None:
        """A row names a subscription or a verb of messages sent from code, not both."""
        super().clean()
        if self.subscription_id is not None and self.verb:
            raise ValidationError(
                {"verb": _("A verb applies to messages sent from code: leave the subscription empty.")}
            )

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Validate the constraints; a form with ``subscription`` checks the uniqueness too.

        ``subscription_scope`` is on no form (the database computes it), and Django skips a
        constraint whose fields a form leaves out: the scope is validated whenever the
        subscription it is computed from is.
        """
        if exclude is not None and "subscription" not in exclude:
            # ``verb`` too, on forms without it (the admin's older forms): its value is then "".
            exclude = set(exclude) - {"subscription_scope", "verb"}
        super().validate_constraints(exclude=exclude)


class PreferenceChange(models.Model):
    """When a user last changed one preference (set or cleared), kept when the rule row is removed.

    An unsubscribe link issued before this time is refused: an old email cannot undo a newer
    choice (a user who opted back in is not muted again by the link they clicked last month).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    subscription_scope = models.BigIntegerField(_("subscription"), default=0, help_text=_("0: every subscription."))
    verb = models.CharField(_("verb"), max_length=128, blank=True)
    channel = models.CharField(_("channel"), max_length=128, blank=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("preference change")
        verbose_name_plural = _("preference changes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subscription_scope", "verb", "channel"], name="dsn_preference_change_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.subscription_scope or '*'} · {self.verb or '*'} · {self.channel or '*'}"
