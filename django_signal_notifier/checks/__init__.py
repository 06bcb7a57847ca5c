"""System checks (``manage.py check``), registered when the app is ready."""

from django_signal_notifier.checks import configuration, schema, settings

__all__ = ["configuration", "schema", "settings"]
