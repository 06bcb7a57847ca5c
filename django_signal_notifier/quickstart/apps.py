"""App configuration of the opt-in quickstart app, which holds 0.2.1's demo models."""

from django.apps import AppConfig


class QuickstartConfig(AppConfig):
    name = "django_signal_notifier.quickstart"
    label = "signal_notifier_quickstart"
    verbose_name = "Signal notifier quickstart"
    default_auto_field = "django.db.models.BigAutoField"
