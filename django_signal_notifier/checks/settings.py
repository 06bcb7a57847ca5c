"""System checks of the settings (``manage.py check``): errors are reported before they bite.

None of these reads the database except :func:`check_channels_in_use` (``Tags.database``); the
stored rows are checked in :mod:`django_signal_notifier.checks.configuration`. docs/checks.md
lists every id.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import router

from django_signal_notifier.conf import DEFAULTS, app_settings
from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.messengers.checks import as_warning, reading_rows
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend
from django_signal_notifier.realtime.brokers import channel_name, current_broker
from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.taskapi import task_backends


@register(Tags.models)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The SIGNAL_NOTIFIER namespace: known keys, sane numbers, importable paths."""

    messages: list[CheckMessage] = []
    raw = app_settings.raw()
    channel_keys = {key for _, messenger in messenger_registry.items() for key in messenger.setting_keys()}
    known = set(DEFAULTS) | channel_keys
    for key in sorted(set(raw) - known):
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER has an unknown key {key!r}.",
                hint=f"Known keys: {', '.join(sorted(known))}. A channel of your own declares its keys in "
                "its messenger's settings_defaults.",
                id="signal_notifier.E001",
            )
        )
    for key in ("BATCH_SIZE", "DELIVERY_BATCH_SIZE", "MAX_ATTEMPTS"):
        value = raw.get(key, DEFAULTS[key])
        if not isinstance(value, int) or value < 1:
            messages.append(
                Error(f"SIGNAL_NOTIFIER[{key!r}] must be a positive integer, not {value!r}.", id="signal_notifier.E002")
            )
    stored_cap = raw.get("MAX_STORED_TEXT", DEFAULTS["MAX_STORED_TEXT"])
    if stored_cap is not None and (isinstance(stored_cap, bool) or not isinstance(stored_cap, int) or stored_cap < 100):
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER['MAX_STORED_TEXT'] must be None or an integer ≥ 100, not {stored_cap!r}.",
                hint="It caps each stored text part; the truncation marker alone takes about 40 characters.",
                id="signal_notifier.E002",
            )
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


def check_messengers(app_configs: Any = None, *, read_rows: bool = True, **kwargs: Any) -> list[CheckMessage]:
    """Each registered messenger's own checks (malformed settings; with ``read_rows``, what stored backends need).

    A message that only stored backends make true (a backend uses Telegram but the bot token is
    not set) is a Warning: a row never stops ``migrate`` or ``runserver``.
    """
    bare = _messenger_messages(read_rows=False)
    if not read_rows:
        return bare
    seen = {(m.id, m.msg) for m in bare}
    return bare + [as_warning(m) for m in _messenger_messages(read_rows=True) if (m.id, m.msg) not in seen]


def _messenger_messages(*, read_rows: bool) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    with reading_rows(read_rows):
        for _name, messenger in messenger_registry.items():
            check = getattr(messenger, "check", None)
            if callable(check):
                messages.extend(check())
    return messages


@register(Tags.models)
def check_channel_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The channels' settings, without reading the database (a bare ``manage.py check``)."""
    return check_messengers(read_rows=False)


@register(Tags.database)
def check_channels_in_use(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """What the stored backends need from the settings, as Warnings (``check --database default``, ``migrate``)."""
    databases = kwargs.get("databases")
    if not databases or router.db_for_read(Backend) not in databases:
        return []
    bare = {(m.id, m.msg) for m in check_messengers(read_rows=False)}
    return [m for m in check_messengers(read_rows=True) if (m.id, m.msg) not in bare]


@register()
def check_task_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The Tasks backend and queue deliveries are enqueued on must exist."""

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


_IMMEDIATE_BACKENDS = (
    "django_tasks.backends.immediate.ImmediateBackend",
    "django.tasks.backends.immediate.ImmediateBackend",
)
_DUMMY_BACKENDS = ("django_tasks.backends.dummy.DummyBackend", "django.tasks.backends.dummy.DummyBackend")


@register(Tags.compatibility)
def check_task_worker(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A task backend that loads but cannot deliver as configured: its app missing, or one that never runs tasks.

    A missing alias, a backend that does not import and a refused queue are E040 and E041. A
    worker backend is a correct setup: ``check --deploy`` notes that its worker must run (I024).
    """
    import django
    from django.apps import apps
    from django.conf import settings
    from django.utils.module_loading import import_string

    immediate = _IMMEDIATE_BACKENDS[1] if django.VERSION >= (6, 0) else _IMMEDIATE_BACKENDS[0]
    configured = getattr(settings, "TASKS", None) or {"default": {"BACKEND": immediate}}
    alias = app_settings.TASK_BACKEND
    params = configured.get(alias) if isinstance(configured, dict) else None
    if not isinstance(params, dict):
        return []  # E040
    path = str(params.get("BACKEND", ""))
    try:
        import_string(path)
    except ImportError:
        return []  # E040
    messages: list[CheckMessage] = []
    if path.startswith("django_tasks_db.") and not apps.is_installed("django_tasks_db"):
        messages.append(
            Error(
                f"The task backend {alias!r} stores tasks with django_tasks_db, which is not in INSTALLED_APPS.",
                hint="Add 'django_tasks_db' to INSTALLED_APPS and run migrate.",
                id="signal_notifier.E022",
            )
        )
    if path in _DUMMY_BACKENDS:
        messages.append(
            Warning(
                f"The task backend {alias!r} is the DummyBackend, which never runs tasks: messages other than "
                "the in-site inbox stay pending.",
                hint="Use the ImmediateBackend (the default) or a worker backend; in tests, capture_notifications() "
                "delivers in-process whatever the backend.",
                id="signal_notifier.W025",
            )
        )
    return messages


@register(Tags.compatibility)
def check_configured_paths(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """LANGUAGE_GETTER, MESSENGERS and MESSAGE_TEMPLATES name things that import and fit."""
    from django.utils.module_loading import import_string

    messages: list[CheckMessage] = []
    getter = app_settings.LANGUAGE_GETTER
    if getter is not None:
        problem = ""
        if isinstance(getter, str):
            try:
                getter = import_string(getter)
            except ImportError as error:
                problem = f"cannot be imported: {error}"
        if not problem and not callable(getter):
            problem = "is not callable"
        if problem:
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER['LANGUAGE_GETTER'] ({app_settings.LANGUAGE_GETTER!r}) {problem}.",
                    hint="Give the dotted path of a function (user) -> language code, e.g. 'myapp.i18n.user_language'.",
                    id="signal_notifier.E026",
                )
            )
    for key, base, check_id in (
        ("MESSENGERS", Messenger, "signal_notifier.E027"),
        ("MESSAGE_TEMPLATES", MessageTemplate, "signal_notifier.E028"),
    ):
        paths = getattr(app_settings, key)
        if isinstance(paths, str) or not isinstance(paths, (list, tuple)):
            messages.append(
                Error(
                    f"SIGNAL_NOTIFIER[{key!r}] must be a list of dotted paths, not {paths!r}.",
                    hint=f"e.g. SIGNAL_NOTIFIER = {{{key!r}: ['myapp.notify.MyClass']}}",
                    id=check_id,
                )
            )
            continue
        for path in paths:
            try:
                found = import_string(path)
            except ImportError as error:
                messages.append(
                    Error(
                        f"SIGNAL_NOTIFIER[{key!r}] names {path!r}, which cannot be imported: {error}.",
                        hint="Fix the dotted path (module.ClassName) or remove it.",
                        id=check_id,
                    )
                )
                continue
            if not (isinstance(found, type) and issubclass(found, base)):
                messages.append(
                    Error(
                        f"SIGNAL_NOTIFIER[{key!r}] names {path!r}, which is not a subclass of {base.__name__}.",
                        hint=f"Subclass django_signal_notifier.{base.__name__}.",
                        id=check_id,
                    )
                )
    return messages


@register(Tags.compatibility)
def check_realtime(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The realtime inbox's settings: a pub/sub that cannot run is reported here (its pages would poll)."""
    try:
        current_broker()
        channel_name()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="See docs/realtime.md: REALTIME_BROKER, REALTIME_REDIS_URL and REALTIME_CHANNEL.",
                id="signal_notifier.E060",
            )
        ]
    return []
