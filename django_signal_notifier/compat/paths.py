"""Module paths of 1.0.0a1, kept importable for one release.

Queued task messages name ``django_signal_notifier.tasks.deliver``; settings name
``django_signal_notifier.context.ActorMiddleware`` and ``django_signal_notifier.backends.celery``;
URLconfs include ``django_signal_notifier.preference_pages.urls``. Importing an old path gives
the very module object of its new home (one module, one set of globals), so ``isinstance``
checks, registries and task lookups see no difference.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

PACKAGE = "django_signal_notifier"

# old path (below the package) -> new path
MOVED: dict[str, str] = {
    "tasks": "delivery.tasks",
    "outbox": "delivery.outbox",
    "retry": "delivery.retry",
    "lease": "delivery.lease",
    "unsubscribe": "delivery.unsubscribe",
    "backends": "delivery.backends",
    "backends.celery": "delivery.backends.celery",
    "digests": "fanout.digests",
    "explicit": "fanout.notify",
    "recipients": "fanout.recipients",
    "policies": "fanout.policies",
    "bulk": "models.bulk",
    "declare": "config.declare",
    "index": "config.index",
    "specs": "config.specs",
    "conditions": "config.conditions",
    "matching": "config.matching",
    "dynamic_receivers": "config.dynamic_receivers",
    "watch": "config.freshness",
    "config_checks": "checks.configuration",
    "receivers": "intake.receivers",
    "dispatch": "intake.dispatch",
    "context": "events.actor",
    "previous": "events.previous",
    "verbs": "events.verbs",
    "previews": "admin.previews",
    "message_templates": "rendering",
    "message_templates.base": "rendering.base",
    "message_templates.builtin": "rendering.builtin",
    "message_templates.catalog": "rendering.catalog",
    "message_templates.digest": "rendering.digest",
    "message_templates.registry": "rendering.registry",
    "message_templates.sandbox": "rendering.sandbox",
    "message_templates.stored": "rendering.stored",
    "messengers.legacy": "compat.legacy",
    "preference_pages": "preferences.pages",
    "preference_pages.table": "preferences.pages.table",
    "preference_pages.urls": "preferences.pages.urls",
    "preference_pages.views": "preferences.pages.views",
    "cli": "management.cli",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old path and loads it as the module of its new path."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(PACKAGE + "."):
            return None
        new = MOVED.get(fullname[len(PACKAGE) + 1 :])
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, loader_state=f"{PACKAGE}.{new}")

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(str(spec.loader_state))

    def exec_module(self, module: ModuleType) -> None:
        """The module ran already under its new name."""


_FINDER = _Alias()


def install() -> None:
    """Make the old paths importable (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)  # before the path finder: a stale folder of an old install cannot shadow it
