"""django-signal-notifier: Django signals turned into notifications on many channels.

The public API is importable from here lazily (no model import at package import time)::

    from django_signal_notifier import register_signal, register_messenger, Messenger
"""

from __future__ import annotations

from typing import Any

from django_signal_notifier.compat.paths import install as _keep_old_paths

_keep_old_paths()

__version__ = "1.0.0a1"

_LAZY = {
    "register_signal": "django_signal_notifier.events.verbs",
    "acting_as": "django_signal_notifier.events.actor",
    "Messenger": "django_signal_notifier.messengers.base",
    "Message": "django_signal_notifier.messengers.base",
    "Option": "django_signal_notifier.messengers.options",
    "register_messenger": "django_signal_notifier.messengers.registry",
    "MessageTemplate": "django_signal_notifier.rendering.base",
    "register_message_template": "django_signal_notifier.rendering.registry",
    "declare": "django_signal_notifier.config.declare",
    "register_callable": "django_signal_notifier.registry",
    "condition": "django_signal_notifier.registry",
    "receiver": "django_signal_notifier.registry",
    "notify": "django_signal_notifier.fanout.notify",
    "backlog": "django_signal_notifier.delivery.backlog",
    "cancel": "django_signal_notifier.delivery.cancel",
    "TransientDeliveryError": "django_signal_notifier.exceptions",
    "PermanentDeliveryError": "django_signal_notifier.exceptions",
    "SkipDelivery": "django_signal_notifier.exceptions",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'django_signal_notifier' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
