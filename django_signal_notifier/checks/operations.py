"""Deployment checks (``manage.py check --deploy --database default``): how the package runs in production.

* W042: with a queueing task backend, fan-outs and deliveries left behind by a process that died
  (a SIGKILL after COMMIT, a lost task, a worker killed mid-batch) wait for the sweeper
  (``signal_notifier redrive``). It records a heartbeat each run; the check warns when none was
  recorded recently.
* W043, W044, W045: emails whose links cannot work, or that are sent inside the request that
  saved the model. Whether email is sent is read from the stored backends, so these run only
  when a database is named.
* W047: ``WEBPUSH_ALLOW_PRIVATE_HOSTS`` is on: users may make the server POST to loopback and
  private addresses (tests and development only).
* I024: a reminder that a worker backend needs its worker running (a note, not a warning: a
  correct setup must not print a warning on every command).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Info, Tags, Warning, register
from django.db import DatabaseError, router
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from django_signal_notifier.conf import app_settings
from django_signal_notifier.messengers.email import EmailMessenger
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend, tables_exist
from django_signal_notifier.models.heartbeat import SWEEPER, Heartbeat
from django_signal_notifier.taskapi import task_backends

# A sweeper run this long ago or longer counts as not running (its documented pace is every minute).
SWEEPER_SILENT_AFTER = timedelta(minutes=10)
# Django's email backends that never open a network connection: nothing waits on a mail server.
LOCAL_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "locmem", "dummy", "filebased")
)
UNSUBSCRIBE_URLS = 'path("notifications/", include("django_signal_notifier.preferences.pages.urls"))'


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


@register(Tags.database, deploy=True)
def check_outbound_email(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W043-W045: emails are sent, and their links, their unsubscribe link or their timing cannot be right."""
    databases = kwargs.get("databases")
    alias = router.db_for_read(Backend)
    if not databases or alias not in databases or not tables_exist():
        return []
    try:
        backends = _email_backends_in_use(alias)
    except DatabaseError:
        return []
    if not backends:
        return []
    named = ", ".join(backends)
    messages: list[CheckMessage] = []
    if not app_settings.SITE_URL:
        messages.append(
            Warning(
                f"Email is sent (backends: {named}) and SIGNAL_NOTIFIER['SITE_URL'] is not set: links in emails are "
                "paths such as /articles/7/, which a mail client cannot open, and emails carry no unsubscribe link.",
                hint="Set SIGNAL_NOTIFIER = {'SITE_URL': 'https://your.site'} (the site's absolute root).",
                id="signal_notifier.W043",
            )
        )
    if not _unsubscribe_routed():
        messages.append(
            Warning(
                f"Email is sent (backends: {named}) and the unsubscribe URL is not routed: emails carry neither the "
                "List-Unsubscribe header nor a visible unsubscribe link.",
                hint=f"Add {UNSUBSCRIBE_URLS} to your ROOT_URLCONF.",
                id="signal_notifier.W045",
            )
        )
    if _runs_tasks_at_once() and str(settings.EMAIL_BACKEND) not in LOCAL_EMAIL_BACKENDS:
        messages.append(
            Warning(
                f"Email is sent (backends: {named}) by the task backend {app_settings.TASK_BACKEND!r}, which runs "
                "tasks at once: each email is sent inside the request that saved the model, which waits for the "
                "mail server (and stalls while it is slow or unreachable).",
                hint="Use a worker backend (django-tasks-db's DatabaseBackend with `manage.py db_worker`, or Celery) "
                "and set SIGNAL_NOTIFIER['TASK_BACKEND'] to it; see docs/delivery.md.",
                id="signal_notifier.W044",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_webpush_private_hosts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W047: Web Push endpoints may reach loopback and private addresses (a test-only setting left on)."""
    if not app_settings.WEBPUSH_ALLOW_PRIVATE_HOSTS:
        return []
    return [
        Warning(
            "SIGNAL_NOTIFIER['WEBPUSH_ALLOW_PRIVATE_HOSTS'] is on: any user may register a Web Push endpoint "
            "naming an IP address or a host on this server's network, and the server will POST to it.",
            hint="It is for tests and development against a push service on loopback: remove it in production.",
            id="signal_notifier.W047",
        )
    ]


@register(deploy=True)
def check_worker_runs(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """I024: a note that a worker backend sends messages only while its worker runs."""
    if not _queues():
        return []
    backend = task_backends[str(app_settings.TASK_BACKEND)]
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    worker = "`manage.py db_worker`" if path.startswith("django_tasks_db.") else "its worker process"
    return [
        Info(
            f"The task backend {app_settings.TASK_BACKEND!r} ({path}) runs tasks in workers: messages are sent only "
            "while a worker runs.",
            hint=f"Run {worker} for the queue {app_settings.TASK_QUEUE!r}, and the sweeper (`manage.py "
            "signal_notifier redrive --every 60`) beside it.",
            id="signal_notifier.I024",
        )
    ]


def _queues() -> bool:
    """Whether the configured task backend hands tasks to workers (neither immediate nor dummy)."""
    name = _backend_class_name()
    return bool(name) and name not in ("ImmediateBackend", "DummyBackend")


def _runs_tasks_at_once() -> bool:
    return _backend_class_name() == "ImmediateBackend"


def _backend_class_name() -> str:
    try:
        return type(task_backends[str(app_settings.TASK_BACKEND)]).__name__
    except Exception:
        return ""  # E040 says why


def _email_backends_in_use(alias: str) -> list[str]:
    """The stored backends that send email through an enabled subscription, by name."""
    names = [name for name, cls in messenger_registry.items() if issubclass(cls, EmailMessenger)]
    rows = Backend.objects.using(alias).filter(messenger__in=names, subscriptions__enabled=True).distinct()
    return [str(row) for row in rows.order_by("pk")[:5]]


def _unsubscribe_routed() -> bool:
    try:
        reverse("django_signal_notifier_preferences:unsubscribe", args=["token"])
    except NoReverseMatch:
        return False
    return True
