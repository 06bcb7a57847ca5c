"""Heartbeat: when a recurring duty of the package (the sweeper) last ran, for checks and probes."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SWEEPER = "sweeper"


class Heartbeat(models.Model):
    """One row per recurring duty: the time it last ran, in any process, on this database."""

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    beat_at = models.DateTimeField(_("last run"))

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str, using: str | None = None) -> None:
        """Record that ``name`` ran now."""
        manager = cls.objects.db_manager(using)
        now = timezone.now()
        if not manager.filter(name=name).update(beat_at=now):
            manager.update_or_create(name=name, defaults={"beat_at": now})

    @classmethod
    def last(cls, name: str, using: str | None = None) -> datetime | None:
        """When ``name`` last ran, None when never."""
        return cls.objects.db_manager(using).filter(name=name).values_list("beat_at", flat=True).first()
