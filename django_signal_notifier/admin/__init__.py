"""Admin for configuration (triggers, backends, subscriptions) and the delivery log."""

from django_signal_notifier.admin import configuration, log, preferences, profiles, stored_templates  # noqa: F401
