"""URLs of the API: ``path("inbox/api/", include("django_signal_notifier.api.urls"))`` serves ``…/v1/…``."""

from django.urls import path

from django_signal_notifier.api import state_views, views

app_name = "django_signal_notifier_api"

urlpatterns = [
    path("v1/openapi.json", views.openapi, name="openapi"),
    path("v1/notifications/", views.notification_list, name="notifications"),
    path("v1/notifications/counts/", views.counts, name="counts"),
    path("v1/notifications/read-all/", views.read_all, name="read_all"),
    path("v1/notifications/read/", views.bulk_read, name="bulk_read"),
    path("v1/notifications/unread/", views.bulk_unread, name="bulk_unread"),
    path("v1/notifications/archive/", views.bulk_archive, name="bulk_archive"),
    path("v1/notifications/unarchive/", views.bulk_unarchive, name="bulk_unarchive"),
    path("v1/notifications/seen/", views.bulk_seen, name="bulk_seen"),
    path("v1/notifications/seen-all/", state_views.seen_all, name="seen_all"),
    path("v1/notifications/snooze/", state_views.snooze, name="bulk_snooze"),
    path("v1/notifications/unsnooze/", views.bulk_unsnooze, name="bulk_unsnooze"),
    path("v1/notifications/<str:pk>/mute/", state_views.notification_mute, name="notification_mute"),
    path("v1/notifications/<str:pk>/follow/", state_views.notification_follow, name="notification_follow"),
    path("v1/mutes/", state_views.mutes, name="mutes"),
    path("v1/mutes/<str:pk>/", state_views.mute_detail, name="mute"),
    # Any text, so that a malformed id is answered in JSON (404) like a missing one.
    path("v1/notifications/<str:pk>/", views.notification_detail, name="notification"),
    path("v1/groups/", views.group_list, name="groups"),
    path("v1/groups/<str:pk>/", views.group_detail, name="group"),
    path("v1/groups/<str:pk>/read/", views.group_read, name="group_read"),
    path("v1/groups/<str:pk>/archive/", views.group_archive, name="group_archive"),
    path("v1/preferences/", views.preferences, name="preferences"),
    path("v1/push/webpush/", views.webpush_devices, name="webpush_devices"),
]
