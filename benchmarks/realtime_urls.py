"""URLs of the realtime benchmark's server: the inbox (its stream is ``/inbox/api/stream/``)."""

from django.urls import include, path

urlpatterns = [path("inbox/", include("django_signal_notifier.inbox.urls"))]
