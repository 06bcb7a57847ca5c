"""App configuration. No database access here; the wiring is :mod:`django_signal_notifier.startup`."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignalNotifierConfig(AppConfig):
    name = "django_signal_notifier"
    verbose_name = _("Signal notifier")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: the stages import the models, which Django loads after this module.
        from django_signal_notifier import startup

        startup.start(self)
