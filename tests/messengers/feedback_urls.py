"""The test URLs with the feedback endpoints included, as a project includes them."""

from django.urls import include, path

from tests.urls import urlpatterns as base

urlpatterns = [*base, path("notifier/feedback/", include("django_signal_notifier.feedback.urls"))]
