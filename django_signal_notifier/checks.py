"""System checks (``manage.py check``): configuration errors are reported before they bite.

Stored configuration is read only when the package's tables exist, so a fresh project's
``migrate`` stays silent.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections, router


def _tables_exist() -> bool:
    from django_signal_notifier.models import Backend, Trigger

    try:
        alias = router.db_for_read(Trigger)
        existing = set(connections[alias].introspection.table_names())
    except DatabaseError:
        return False
    return {Trigger._meta.db_table, Backend._meta.db_table} <= existing


@register(Tags.models)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The SIGNAL_NOTIFIER namespace: known keys, sane numbers, importable paths."""
    from django_signal_notifier.conf import DEFAULTS, app_settings

    messages: list[CheckMessage] = []
    raw = app_settings.raw()
    for key in sorted(set(raw) - set(DEFAULTS)):
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER has an unknown key {key!r}.",
                hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                id="signal_notifier.E001",
            )
        )
    for key in ("BATCH_SIZE", "DELIVERY_BATCH_SIZE", "MAX_ATTEMPTS"):
        value = raw.get(key, DEFAULTS[key])
        if not isinstance(value, int) or value < 1:
            messages.append(
                Error(f"SIGNAL_NOTIFIER[{key!r}] must be a positive integer, not {value!r}.", id="signal_notifier.E002")
            )
    for key in (
        "CONFIG_CHECK_INTERVAL",
        "RETRY_BASE_DELAY",
        "RETRY_MAX_DELAY",
        "CLAIM_TIMEOUT",
        "HTTP_TIMEOUT",
        "SENT_FLUSH_SECONDS",
    ):
        value = raw.get(key, DEFAULTS[key])
        if not isinstance(value, (int, float)) or value < 0:
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER[{key!r}] must be a number of seconds ≥ 0, not {value!r}.",
                    id="signal_notifier.E002",
                )
            )
    site_url = raw.get("SITE_URL")
    if site_url is not None and not (isinstance(site_url, str) and site_url.startswith(("http://", "https://"))):
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER['SITE_URL'] must be an absolute URL such as 'https://example.com', not {site_url!r}.",
                hint="It is the base of the one-click unsubscribe links; None leaves them out.",
                id="signal_notifier.E003",
            )
        )
    return messages


@register(Tags.models)
def check_messengers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Each registered messenger's own checks (missing settings, missing optional packages)."""
    from django_signal_notifier.messengers.registry import messenger_registry

    messages: list[CheckMessage] = []
    for _name, messenger in messenger_registry.items():
        check = getattr(messenger, "check", None)
        if callable(check):
            messages.extend(check())
    return messages


@register(Tags.models)
def check_stored_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Stored triggers and backends that name signals, models, messengers or templates that do not exist."""
    if not _tables_exist():
        return []
    from django_signal_notifier.message_templates.registry import template_registry
    from django_signal_notifier.messengers.registry import messenger_registry
    from django_signal_notifier.models import Backend, Trigger
    from django_signal_notifier.verbs import get_signal

    messages: list[CheckMessage] = []
    try:
        triggers = list(Trigger.objects.select_related("action_object_content_type", "actor_object_content_type"))
        backends = list(Backend.objects.all())
    except DatabaseError:
        return []
    for trigger in triggers:
        if get_signal(trigger.verb) is None:
            messages.append(
                Error(
                    f"Trigger {trigger.pk} ({trigger}) names the signal {trigger.verb!r}, which is not registered.",
                    hint="Register it with django_signal_notifier.register_signal(name, signal) in an AppConfig.ready(), "
                    "or change or disable the trigger in the admin.",
                    obj=trigger,
                    id="signal_notifier.E010",
                )
            )
        for field in ("action_object_content_type", "actor_object_content_type"):
            content_type = getattr(trigger, field)
            if content_type is not None and content_type.model_class() is None:
                messages.append(
                    Error(
                        f"Trigger {trigger.pk} ({trigger}) names the model {content_type.app_label}.{content_type.model}, "
                        "which no longer exists.",
                        hint="Delete or edit the trigger in the admin.",
                        obj=trigger,
                        id="signal_notifier.E011",
                    )
                )
    for backend in backends:
        messenger = messenger_registry.get(backend.messenger)
        if messenger is None:
            messages.append(
                Error(
                    f"Backend {backend.pk} ({backend}) names the messenger {backend.messenger!r}, which is not registered.",
                    hint="Register it with register_messenger() or SIGNAL_NOTIFIER['MESSENGERS'], or edit the backend.",
                    obj=backend,
                    id="signal_notifier.E012",
                )
            )
        name = backend.message_template or (messenger.default_template if messenger else "")
        if name and template_registry.get(name) is None:
            messages.append(
                Error(
                    f"Backend {backend.pk} ({backend}) names the message template {name!r}, which is not registered.",
                    hint="Register it with register_message_template() or SIGNAL_NOTIFIER['MESSAGE_TEMPLATES'].",
                    obj=backend,
                    id="signal_notifier.E013",
                )
            )
        if backend.options is not None and not isinstance(backend.options, dict):
            messages.append(
                Error(
                    f"Backend {backend.pk} ({backend}) has options that are not a JSON object; it sends nothing.",
                    hint='Edit the backend\'s options in the admin: a JSON object such as {"url": "https://…"}.',
                    obj=backend,
                    id="signal_notifier.E015",
                )
            )
        if messenger is not None and not name:
            messages.append(
                Warning(
                    f"Backend {backend.pk} ({backend}) has no template and {backend.messenger} has no default.",
                    obj=backend,
                    id="signal_notifier.W014",
                )
            )
    return messages


@register()
def check_task_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The Tasks backend and queue deliveries are enqueued on must exist."""
    from django_signal_notifier.conf import app_settings
    from django_signal_notifier.taskapi import task_backends

    alias, queue = app_settings.TASK_BACKEND, app_settings.TASK_QUEUE
    try:
        backend = task_backends[alias]
    except Exception as error:
        return [
            Error(
                f"SIGNAL_NOTIFIER['TASK_BACKEND'] is {alias!r}, which cannot be loaded from TASKS: {error}",
                hint="Add that alias to the TASKS setting, or set TASK_BACKEND to an alias it has.",
                id="signal_notifier.E040",
            )
        ]
    if backend.queues and queue not in backend.queues:
        return [
            Error(
                f"SIGNAL_NOTIFIER['TASK_QUEUE'] is {queue!r}, which the {alias!r} task backend does not accept.",
                hint=f"Add it to TASKS[{alias!r}]['QUEUES'] or set TASK_QUEUE to one of {sorted(backend.queues)}.",
                id="signal_notifier.E041",
            )
        ]
    return []


from django_signal_notifier import config_checks  # noqa: E402, F401  (conditions and dynamic receivers)
