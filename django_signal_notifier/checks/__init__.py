"""System checks (``manage.py check``), registered when the app is ready."""

from django_signal_notifier.checks import configuration, operations, schema, settings, stored_templates

__all__ = ["configuration", "operations", "schema", "settings", "stored_templates"]
