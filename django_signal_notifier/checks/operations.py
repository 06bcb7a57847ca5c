"""Deployment checks of how the package runs: is the sweeper running where workers run the tasks?

With a queueing task backend, fan-outs and deliveries left behind by a process that died (a
SIGKILL after COMMIT, a lost task, a worker killed mid-batch) wait for the sweeper
(``signal_notifier redrive``). It records a heartbeat each run; ``check --deploy --database
default`` warns when none was recorded recently.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, router
from django.utils import timezone

from django_signal_notifier.conf import app_settings
from django_signal_notifier.models import tables_exist
from django_signal_notifier.models.heartbeat import SWEEPER, Heartbeat
from django_signal_notifier.taskapi import task_backends

# A sweeper run this long ago or longer counts as not running (its documented pace is every minute).
SWEEPER_SILENT_AFTER = timedelta(minutes=10)


@register(Tags.database, deploy=True)
def check_sweeper_runs(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W042: a queueing task backend and no sweeper heartbeat in the last ten minutes."""
    databases = kwargs.get("databases")
    alias = router.db_for_read(Heartbeat)
    if not databases or alias not in databases or not _queues() or not tables_exist():
        return []
    try:
        last = Heartbeat.last(SWEEPER, using=alias)
    except DatabaseError:
        return []  # a database without this table yet: migrate reports it
    if last is not None and timezone.now() - last < SWEEPER_SILENT_AFTER:
        return []
    since = "has never run" if last is None else f"last ran at {last:%Y-%m-%d %H:%M:%S %Z}"
    return [
        Warning(
            f"The task backend {app_settings.TASK_BACKEND!r} runs tasks in workers, and the sweeper {since}: "
            "fan-outs and deliveries left behind by a process that died wait until it runs.",
            hint="Run `manage.py signal_notifier redrive --every 60` as a process beside your workers (a systemd "
            "service, a container), or `manage.py signal_notifier redrive` from cron every minute.",
            id="signal_notifier.W042",
        )
    ]


def _queues() -> bool:
    """Whether the configured task backend hands tasks to workers (neither immediate nor dummy)."""
    try:
        backend = task_backends[str(app_settings.TASK_BACKEND)]
    except Exception:
        return False  # E040 says why
    return type(backend).__name__ not in ("ImmediateBackend", "DummyBackend")
