from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("inbox/", include("django_signal_notifier.inbox.urls")),
    path("inbox/api/", include("django_signal_notifier.api.urls")),
    path("notifications/", include("django_signal_notifier.preferences.pages.urls")),
]
