"""Delivery: the outbox and the delivery log, one row per (recipient, backend) message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.event import Event
from django_signal_notifier.models.indexes import PartialIndex
from django_signal_notifier.models.subscription import Backend, Subscription
from django_signal_notifier.models.trigger import Trigger


class DeliveryStatus(models.TextChoices):
    """Where a delivery is in its life."""

    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed (will retry)")
    DEAD = "dead", _("dead (gave up)")
    SKIPPED = "skipped", _("skipped")
    WAITING = "waiting", _("waiting for the step before (a fallback)")


class SendCondition(models.TextChoices):
    """What must still hold when a delivery is about to be sent."""

    ALWAYS = "", _("always")
    UNREAD = "unread", _("its in-site notification is still unread")
    CONDITIONS = "conditions", _("its step's conditions hold (only_if)")


class DeliveryQuerySet(models.QuerySet[Any]):
    """Queries over the outbox."""

    def due(self, now: Any = None) -> DeliveryQuerySet:
        """Pending or failed deliveries whose next attempt time has come, and abandoned claims."""
        now = now or timezone.now()
        waiting = models.Q(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now, digest_key=""
        )
        abandoned = models.Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
        return self.filter(waiting | abandoned)


class Delivery(models.Model):
    """One message to one recipient on one channel, and everything that happened to it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    trigger = models.ForeignKey(
        Trigger, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries", verbose_name=_("trigger")
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    backend = models.ForeignKey(
        Backend, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries", verbose_name=_("backend")
    )
    channel = models.CharField(_("channel"), max_length=128, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signal_notifier_deliveries",
        verbose_name=_("recipient"),
    )
    # Where to send instead of the recipient's own address (a test send to a bare address).
    address = models.CharField(_("address"), max_length=255, blank=True)
    sent_to = models.CharField(
        _("sent to"),
        max_length=255,
        blank=True,
        help_text=_("The address the message was sent to (or last tried), unless it holds a secret."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Non-empty while the delivery waits for its digest (see digests.py); never due meanwhile.
    digest_key = models.CharField(_("digest key"), max_length=100, blank=True, db_index=True)
    # Pending rows sharing a key are cancelled together (see delivery/cancel.py).
    cancel_key = models.CharField(_("cancel key"), max_length=255, blank=True)
    # True when the next step of its subscription is a fallback, waiting on this one's outcome.
    has_fallback = models.BooleanField(_("has a fallback"), default=False)
    send_if = models.CharField(
        _("send only if"), max_length=16, choices=SendCondition.choices, blank=True, default=SendCondition.ALWAYS
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the provider said after accepting the message (anymail tracking, Twilio status callbacks).
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True, db_index=True)
    provider_status = models.CharField(
        _("provider status"),
        max_length=32,
        blank=True,
        help_text=_("The provider's latest word: delivered, opened, clicked, bounced, complained, failed…"),
    )
    provider_status_at = models.DateTimeField(_("provider status at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()
    # Set by the outbox on the instance it sends (not stored): skipped because the recipient
    # cannot be reached on this channel, so a fallback step takes over.
    undeliverable = False

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="dsn_delivery_due"),
            PartialIndex(
                fields=["cancel_key"],
                where=~models.Q(cancel_key=""),
                fallback_fields=["cancel_key"],
                name="dsn_delivery_cancel_key",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "backend", "recipient"], name="dsn_delivery_once_per_recipient")
        ]

    def __str__(self) -> str:
        to = self.recipient if self.recipient_id is not None else (self.sent_to or self.address)
        return f"#{self.pk} {self.channel} → {to or '-'} ({self.get_status_display()})"
