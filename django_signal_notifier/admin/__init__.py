"""Admin for configuration (triggers, backends, subscriptions) and the delivery log."""

from django.contrib import admin

from django_signal_notifier.admin import (  # noqa: F401
    api_tokens,
    configuration,
    log,
    preferences,
    profiles,
    push_devices,
    stored_templates,
    suppressions,
)
from django_signal_notifier.admin.dashboard import add_dashboard
from django_signal_notifier.admin.ordering import order_models

order_models(admin.site)
add_dashboard(admin.site)  # after the ordering: listed first
