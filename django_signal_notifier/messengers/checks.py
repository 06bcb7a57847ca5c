"""Helpers for the channels' ``check()`` classmethods (run by ``manage.py check``).

A missing setting is only an error when a stored Backend uses the channel, so a project that
does not send SMS is not asked for a Twilio token. A malformed setting is always an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.checks import CheckMessage, Error, Warning
from django.db import DatabaseError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.messengers.addresses import source_problem
from django_signal_notifier.messengers.registry import messenger_registry

_reading_rows: ContextVar[bool] = ContextVar("signal_notifier_checks_read_rows", default=True)


@contextmanager
def reading_rows(allowed: bool) -> Iterator[None]:
    """Within this block, the channels' checks read stored backends only if ``allowed``.

    A bare ``manage.py check`` runs the channels' checks with ``allowed=False`` (no query); the
    ``Tags.database`` pass (``check --database default``, ``migrate``) reads the rows.
    """
    token = _reading_rows.set(allowed)
    try:
        yield
    finally:
        _reading_rows.reset(token)


def as_warning(message: CheckMessage) -> CheckMessage:
    """``message`` as a Warning (an Error's id ``…E123`` becomes ``…W123``): a stored row never stops a deploy."""
    check_id = (message.id or "").replace(".E", ".W", 1)
    return Warning(message.msg, hint=message.hint, obj=message.obj, id=check_id)


def stored_options(channel: str) -> list[tuple[Any, dict[str, Any]]]:
    """``(pk, options)`` of every stored Backend of ``channel`` or a subclass.

    ``[]`` before the tables exist, and outside the database checks (see :func:`reading_rows`).
    """
    if not _reading_rows.get():
        return []
    # Here, not at the top: channels are imported before Django loads the models (pytest plugin, settings).
    from django_signal_notifier.models import Backend, tables_exist

    try:
        if not tables_exist():
            return []
        rows = Backend.objects.filter(messenger__in=channel_family(channel)).values_list("pk", "options")
        return [(pk, dict(options or {}) if isinstance(options, dict) else {}) for pk, options in rows]
    except DatabaseError:
        return []


def channel_in_use(channel: str) -> bool:
    """Whether a stored Backend names this messenger or a subclass of it (False before the tables exist)."""
    return bool(stored_options(channel))


def channel_family(channel: str) -> list[str]:
    """The registered names of ``channel`` and its subclasses (an alias such as SMTPEmailMessenger)."""

    base = messenger_registry.get(channel)
    if base is None:
        return [channel]
    return [name for name, cls in messenger_registry.items() if issubclass(cls, base)]


def setting_value(key: str) -> Any:

    return getattr(app_settings, key)


def require_settings(channel: str, keys: tuple[str, ...], check_id: str) -> list[CheckMessage]:
    """Errors for each of ``keys`` that is empty while a Backend uses ``channel``."""
    missing = [key for key in keys if not setting_value(key)]
    if not missing or not channel_in_use(channel):
        return []
    return [
        Error(
            f"A backend uses {channel} but SIGNAL_NOTIFIER[{key!r}] is not set.",
            hint=f"Set SIGNAL_NOTIFIER[{key!r}] (see the {channel} page of the documentation).",
            id=check_id,
        )
        for key in missing
    ]


def check_address_source(key: str, check_id: str, channel: str) -> list[CheckMessage]:
    """An error when the address-source setting ``key`` cannot work.

    The default source (e.g. a ``phone_number`` field) is only checked once a Backend uses the
    channel; a source the project set explicitly is always checked.
    """

    if key not in app_settings.raw() and not channel_in_use(channel):
        return []
    problem = source_problem(setting_value(key))
    if problem is None:
        return []
    return [
        Error(
            f"SIGNAL_NOTIFIER[{key!r}] is invalid for {channel}: {problem}.",
            hint="Give a field path on the user (profile__phone), a dotted path to a callable (user) -> str, "
            "or {'model': 'app.Profile', 'field': 'phone', 'user_field': 'user'}.",
            id=check_id,
        )
    ]


def check_url(key: str, check_id: str) -> list[CheckMessage]:
    """An error when the URL setting ``key`` is not an http(s) URL."""
    value = setting_value(key)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return []
    return [Error(f"SIGNAL_NOTIFIER[{key!r}] must be an http:// or https:// URL, not {value!r}.", id=check_id)]


def check_optional_package(channel: str, module: str, extra: str, check_id: str) -> list[CheckMessage]:
    """An error when a Backend uses ``channel`` and its optional package is not installed."""
    try:
        __import__(module)
    except ImportError:
        if channel_in_use(channel):
            return [
                Error(
                    f"A backend uses {channel}, which needs the {module!r} package.",
                    hint=f"pip install 'django-signal-notifier[{extra}]'",
                    id=check_id,
                )
            ]
    return []
