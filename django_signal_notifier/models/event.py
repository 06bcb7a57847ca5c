"""Event: the serialisable snapshot of one signal send that matched at least one trigger."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.indexes import PartialIndex


class Event(models.Model):
    """What happened, kept so that a worker (or a message about a deleted object) can render it."""

    verb = models.CharField(_("signal"), max_length=128)
    action_object_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_object_id = models.CharField(max_length=255, blank=True)
    actor_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_object_id = models.CharField(max_length=255, blank=True)
    target_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_object_id = models.CharField(max_length=255, blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # The transactional outbox: the matched triggers, written with the sender's change, and where
    # the fan-out stands (a chain of chunks; ``fanout_done`` once every recipient has its row).
    trigger_ids = models.JSONField(_("matched triggers"), default=list, blank=True)
    fanout_done = models.BooleanField(_("fan-out done"), default=True)
    fanout_position = models.JSONField(_("fan-out position"), default=dict, blank=True)
    fanout_step = models.PositiveIntegerField(_("fan-out step"), default=0)
    fanout_updated_at = models.DateTimeField(_("fan-out updated"), null=True, blank=True)

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-id"]
        indexes = [
            # The sweeper reads only the unfinished fan-outs.
            PartialIndex(
                fields=["fanout_updated_at"],
                where=models.Q(fanout_done=False),
                fallback_fields=["fanout_done", "fanout_updated_at"],
                name="dsn_event_fanout_todo",
            )
        ]

    def __str__(self) -> str:
        described: Any = (self.snapshot or {}).get("action_object") or {}
        return f"{self.verb}: {described.get('repr', '')}".strip()
