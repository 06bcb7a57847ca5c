"""Admin for configuration (triggers, backends, subscriptions) and the delivery log."""

from django.contrib import admin

from django_signal_notifier.admin import (  # noqa: F401
    configuration,
    log,
    preferences,
    profiles,
    stored_templates,
    suppressions,
)
from django_signal_notifier.admin.ordering import order_models

order_models(admin.site)
