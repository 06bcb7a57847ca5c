"""Suppression: an address a provider reported unreachable or unwilling; later deliveries to it are skipped."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalized_address(address: str) -> str:
    """The form addresses are stored and compared in: trimmed, and lower case (emails and phone numbers alike)."""
    return address.strip().lower()


class SuppressionQuerySet(models.QuerySet[Any]):
    """Queries over suppressed addresses."""

    def active(self) -> SuppressionQuerySet:
        """Suppressions that still hold (not lifted)."""
        return self.filter(lifted_at__isnull=True)

    def reasons_for(self, channel: str, addresses: list[str]) -> dict[str, str]:
        """Of ``addresses`` on ``channel``, those suppressed, each with its reason: one query."""
        wanted = {normalized_address(address) for address in addresses if address}
        if not wanted:
            return {}
        rows = self.active().filter(channel=channel, address__in=wanted).values_list("address", "reason")
        return dict(rows)

    def suppress(self, channel: str, address: str, reason: str, **values: Any) -> Suppression:
        """Suppress ``address`` on ``channel`` (again, if it was lifted): one active row per address."""
        address = normalized_address(address)
        existing: Suppression | None = self.active().filter(channel=channel, address=address).first()
        if existing is not None:
            return existing
        created: Suppression = self.create(channel=channel, address=address, reason=reason[:255], **values)
        return created

    def lift(self) -> int:
        """Lift these suppressions: their addresses receive messages again."""
        return self.active().update(lifted_at=timezone.now())


class Suppression(models.Model):
    """An address that must not be sent to on a channel, and why (a hard bounce, a complaint, STOP)."""

    channel = models.CharField(_("channel"), max_length=32, help_text=_("The kind of address: 'email' or 'sms'."))
    address = models.CharField(_("address"), max_length=255)
    reason = models.CharField(_("reason"), max_length=255)
    provider = models.CharField(_("provider"), max_length=64, blank=True)
    delivery = models.ForeignKey(
        "django_signal_notifier.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("delivery"),
        help_text=_("The delivery whose feedback suppressed the address."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "address"], name="dsn_suppression_address")]

    def __str__(self) -> str:
        state = "" if self.lifted_at is None else " (lifted)"
        return f"{self.channel} {self.address}: {self.reason}{state}"
