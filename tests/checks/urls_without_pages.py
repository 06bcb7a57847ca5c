"""A URLconf with the inbox but not the preferences and unsubscribe pages (for W045)."""

from django.urls import include, path

urlpatterns = [path("inbox/", include("django_signal_notifier.inbox.urls"))]
