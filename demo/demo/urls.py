"""URLs of the demo site."""

from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="blog/login.html", next_page="blog:index"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="blog:index"), name="logout"),
    path("", include("blog.urls")),
]

# Integration point: the package's own inbox pages and API, mounted as soon as the package
# ships them. Until then the demo's own inbox page (blog/inbox.html) reads Notification rows.
if _installed("django_signal_notifier.inbox.urls"):
    urlpatterns.append(path("notifications/", include("django_signal_notifier.inbox.urls")))
