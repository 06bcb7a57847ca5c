"""The ``SIGNAL_NOTIFIER`` settings namespace, with its defaults.

Read a setting as ``app_settings.BATCH_SIZE``; the value is looked up on every access so
``override_settings`` works in tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    # Seconds between two reads of the configuration version stamp by one process: a trigger
    # changed in another process takes effect here within this delay.
    "CONFIG_CHECK_INTERVAL": 5.0,
    # Recipients rendered and rows written per bulk insert; bounds memory on large fan-outs.
    "BATCH_SIZE": 500,
    # Deliveries handed to one task (one messenger.send_batch call).
    "DELIVERY_BATCH_SIZE": 100,
    # The Tasks API backend alias and queue used to enqueue deliveries.
    "TASK_BACKEND": "default",
    "TASK_QUEUE": "default",
    # Retries: attempts before a delivery is dead, and the exponential backoff (seconds).
    "MAX_ATTEMPTS": 5,
    "RETRY_BASE_DELAY": 30.0,
    "RETRY_MAX_DELAY": 3600.0,
    # Seconds a worker owns the deliveries it claimed; after that another worker may take them.
    "CLAIM_TIMEOUT": 300.0,
    # Dotted path of a callable (user) -> language code; None uses settings.LANGUAGE_CODE.
    "LANGUAGE_GETTER": None,
    # The site's absolute base URL (e.g. "https://example.com"), used for the one-click unsubscribe
    # links put in every outbound message's List-Unsubscribe header; None leaves them out.
    "SITE_URL": None,
    # Dotted paths of extra messenger and message-template classes to register at start-up.
    "MESSENGERS": [],
    "MESSAGE_TEMPLATES": [],
}


class AppSettings:
    """Attribute access to ``settings.SIGNAL_NOTIFIER`` with package defaults."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown django-signal-notifier setting: {name}")
        user = getattr(settings, "SIGNAL_NOTIFIER", {}) or {}
        return user.get(name, DEFAULTS[name])

    def raw(self) -> dict[str, Any]:
        """The user's namespace as configured (without defaults)."""
        return dict(getattr(settings, "SIGNAL_NOTIFIER", {}) or {})


app_settings = AppSettings()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "SIGNAL_NOTIFIER":
        from django_signal_notifier.index import trigger_index

        trigger_index.invalidate()


setting_changed.connect(_on_setting_changed, dispatch_uid="django_signal_notifier.conf")
