"""What the app does once Django is ready: the composition root.

It registers the built-in channels and templates and the classes the settings name, imports the
``messengers.py`` and ``message_templates.py`` of installed apps (as the admin does with
``admin.py``), connects one receiver per signal, the package's own lifecycle receivers and
django-anymail's tracking signal. It imports every stage, so only ``AppConfig.ready()`` imports it, once the models are loaded. No
database access here.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate, pre_delete, pre_migrate
from django.utils.module_loading import autodiscover_modules, import_string

from django_signal_notifier import checks, messengers, rendering  # noqa: F401  (built-ins, system checks)
from django_signal_notifier.conf import app_settings
from django_signal_notifier.config import problems  # noqa: F401  (validation of the configuration rows)
from django_signal_notifier.config.declare import run_after_migrate
from django_signal_notifier.config.freshness import watch_configuration
from django_signal_notifier.config.index import resume_after_migrate, suspend_during_migrate
from django_signal_notifier.config.send_conditions import vetoes
from django_signal_notifier.delivery.outbox import check_before_sending_with
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.feedback.anymail import connect_tracking
from django_signal_notifier.intake.receivers import connect_all
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import config_triggers
from django_signal_notifier.privacy.erase import erase_on_user_delete
from django_signal_notifier.realtime.publish import connect_publisher
from django_signal_notifier.rendering import stored  # noqa: F401  (db:<name> templates)
from django_signal_notifier.rendering.registry import template_registry

logger = logging.getLogger("django_signal_notifier")

# The modules of each installed app imported at start-up (``myapp/messengers.py``, …).
AUTODISCOVERED_MODULES = ("messengers", "message_templates")


def start(app_config: Any) -> None:
    """Wire the package into the running project (called by ``AppConfig.ready()``)."""
    for registry, paths in (
        (messenger_registry, app_settings.MESSENGERS),
        (template_registry, app_settings.MESSAGE_TEMPLATES),
    ):
        for path in paths if isinstance(paths, (list, tuple)) else ():
            try:
                registry.register_path(path)
            except ConfigurationError as error:  # reported by the system checks (E027, E028), not a crash here
                logger.error("django-signal-notifier: %s", error)
    autodiscover_modules(*AUTODISCOVERED_MODULES)
    watch_configuration()
    check_before_sending_with(vetoes)
    connect_all()
    pre_delete.connect(
        erase_on_user_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="django_signal_notifier.privacy.erase"
    )
    connect_tracking()  # providers' email events (when django-anymail is installed)
    connect_publisher()  # inbox writes published to the realtime streams (when a pub/sub is configured)
    load_package_task_backends()
    pre_migrate.connect(suspend_during_migrate, dispatch_uid="django_signal_notifier.index.suspend")
    post_migrate.connect(resume_after_migrate, dispatch_uid="django_signal_notifier.index.resume")
    post_migrate.connect(run_after_migrate, sender=app_config, dispatch_uid="django_signal_notifier.declare")
    post_migrate.connect(
        restore_config_triggers, sender=app_config, dispatch_uid="django_signal_notifier.config_triggers"
    )


def restore_config_triggers(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: the configuration triggers a migration dropped (SQLite) are re-created."""
    config_triggers.restore_after_migrate(connections[using])


def load_package_task_backends() -> None:
    """Import the package's task backends that ``TASKS`` names, e.g. the Celery one.

    Importing it registers its Celery task with every Celery app, so the worker of a project's
    own app knows that task as soon as Django is set up (no ``include`` to remember).
    """
    tasks = getattr(settings, "TASKS", None)
    for params in tasks.values() if isinstance(tasks, dict) else ():
        path = params.get("BACKEND") if isinstance(params, dict) else None
        if isinstance(path, str) and path.startswith("django_signal_notifier."):
            try:
                import_string(path)
            except ImportError as error:  # reported by the system checks (E040)
                logger.error("django-signal-notifier: %s", error)
