"""The package's models in the admin index in the order they are set up and read, not alphabetically.

Trigger (when), Backend (what and how), Subscription (whom), stored templates, then the logs:
deliveries, suppressed addresses, events, in-site notifications, preferences, profiles, Web Push
devices and API tokens. Django sorts an app's models by
name and has no per-app hook, so the site's ``get_app_list`` is wrapped to reorder this app's
models only; every other app keeps Django's order.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest

APP_LABEL = "django_signal_notifier"
ORDER = (
    "trigger",
    "backend",
    "subscription",
    "storedtemplate",
    "delivery",
    "suppression",
    "event",
    "notification",
    "preference",
    "profile",
    "webpushdevice",
    "apitoken",
)


def _position(model: dict[str, Any]) -> tuple[int, str]:
    name = str(model.get("object_name", "")).lower()
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def order_models(site: AdminSite) -> None:
    """Make ``site`` list this app's models in :data:`ORDER` (once; other apps untouched)."""
    original = site.get_app_list
    if getattr(original, "orders_signal_notifier", False):
        return

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = original(request, app_label)
        for app in app_list:
            if app.get("app_label") == APP_LABEL:
                app["models"].sort(key=_position)
        return app_list

    get_app_list.orders_signal_notifier = True  # type: ignore[attr-defined]
    site.get_app_list = get_app_list  # type: ignore[method-assign]
