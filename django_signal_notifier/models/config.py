"""Configuration models: the stamp that tells every process the configuration changed."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F

from django_signal_notifier.signals import configuration_changed


class ConfigStamp(models.Model):
    """One row whose ``version`` grows on every configuration change.

    Each process reads it at most once per ``CONFIG_CHECK_INTERVAL`` to learn that triggers,
    subscriptions, backends or stored templates changed in another process. Database triggers
    (:mod:`~django_signal_notifier.models.config_triggers`) bump it on every write to those
    tables, however it is made; :meth:`bump` is the application's own announcement.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        app_label = "django_signal_notifier"

    @classmethod
    def bump(cls, using: str | None = None) -> None:
        """Record a configuration change (inside the caller's transaction)."""
        manager = cls.objects.db_manager(using)
        if not manager.filter(pk=1).update(version=F("version") + 1):
            manager.get_or_create(pk=1, defaults={"version": 1})

    @classmethod
    def current(cls, using: str | None = None) -> int:
        """The stored version, 0 when no change was ever recorded."""
        value = cls.objects.db_manager(using).filter(pk=1).values_list("version", flat=True).first()
        return int(value or 0)


class ConfigQuerySet(models.QuerySet[Any]):
    """A queryset whose bulk writes announce a configuration change like save() does."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        _config_changed(self.db)
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        _config_changed(self.db)
        return result

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        _config_changed(self.db)
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        count = super().bulk_update(objs, fields, *args, **kwargs)
        _config_changed(self.db)
        return count


def _config_changed(using: str | None, sender: Any = None) -> None:
    configuration_changed.send(sender=sender or ConfigStamp, using=using)
