"""The preferences page and the one-click unsubscribe endpoint.

Include them with ``path("notifications/", include("django_signal_notifier.preferences.pages.urls"))``.
"""
