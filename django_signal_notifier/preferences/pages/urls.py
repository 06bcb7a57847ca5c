"""URLs: ``path("notifications/", include("django_signal_notifier.preferences.pages.urls"))``."""

from __future__ import annotations

from django.urls import path

from django_signal_notifier.preferences.pages import views

app_name = "django_signal_notifier_preferences"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
