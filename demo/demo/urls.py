"""URLs of the demo site."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="blog/login.html", next_page="blog:index"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="blog:index"), name="logout"),
    # The package's inbox page and JSON API (the badge polls notifications/api/unread-count/),
    # its preferences page and one-click unsubscribe endpoint, and the HTTP API (notifications/api/v1/).
    path("notifications/", include("django_signal_notifier.inbox.urls")),
    path("notifications/", include("django_signal_notifier.preferences.pages.urls")),
    path("notifications/api/", include("django_signal_notifier.api.urls")),
    path("", include("blog.urls")),
]
