"""URLs: ``path("notifier/feedback/", include("django_signal_notifier.feedback.urls"))``."""

from django.urls import path

from django_signal_notifier.feedback.twilio import twilio_status

urlpatterns = [
    path("twilio/status/", twilio_status, name="signal_notifier_twilio_status"),
]
