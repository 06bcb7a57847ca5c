"""The package's models; with the quickstart app installed, also TestModel1 and TestModel2."""

from django.apps import apps
from django.db import DatabaseError, connections, router

from django_signal_notifier.models.api_token import ApiToken
from django_signal_notifier.models.config import ConfigStamp
from django_signal_notifier.models.delivery import Delivery, DeliveryStatus, SendCondition
from django_signal_notifier.models.event import Event
from django_signal_notifier.models.heartbeat import Heartbeat
from django_signal_notifier.models.mute import Mute
from django_signal_notifier.models.notification import Notification
from django_signal_notifier.models.preference import Preference, PreferenceChange
from django_signal_notifier.models.profile import Profile
from django_signal_notifier.models.push_device import EndpointTaken, WebPushDevice
from django_signal_notifier.models.stored_template import StoredTemplate
from django_signal_notifier.models.subscription import Backend, GroupBy, Subscription
from django_signal_notifier.models.suppression import Suppression
from django_signal_notifier.models.trigger import Trigger

__all__ = [
    "ApiToken",
    "Backend",
    "ConfigStamp",
    "Delivery",
    "DeliveryStatus",
    "SendCondition",
    "Event",
    "Heartbeat",
    "Mute",
    "Notification",
    "StoredTemplate",
    "Preference",
    "PreferenceChange",
    "Profile",
    "DSN_Profile",
    "GroupBy",
    "Subscription",
    "Suppression",
    "Trigger",
    "EndpointTaken",
    "WebPushDevice",
    "tables_exist",
]


# 0.2.1's name of the profile model (its documentation shows DSN_Profile with telegram_chat_id).
DSN_Profile = Profile


def tables_exist() -> bool:
    """Whether the package's configuration tables exist (False before ``migrate``, or without a database)."""
    try:
        alias = router.db_for_read(Trigger)
        existing = set(connections[alias].introspection.table_names())
    except DatabaseError:
        return False
    return {Trigger._meta.db_table, Backend._meta.db_table} <= existing


# 0.2.1 users wrote `from django_signal_notifier.models import *` to reach the demo models.
if apps.is_installed("django_signal_notifier.quickstart"):
    from django_signal_notifier.quickstart.models import TestModel1, TestModel2

    __all__ += ["TestModel1", "TestModel2"]
