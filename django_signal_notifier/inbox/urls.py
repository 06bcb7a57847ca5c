"""URLs of the inbox: ``path("inbox/", include("django_signal_notifier.inbox.urls"))``."""

from django.urls import path

from django_signal_notifier.inbox import state_views, views
from django_signal_notifier.realtime.views import stream

app_name = "django_signal_notifier_inbox"

urlpatterns = [
    path("", views.inbox_page, name="page"),
    path("api/notifications/", views.notification_list, name="list"),
    path("api/unread-count/", views.unread_count_view, name="unread_count"),
    path("api/stream/", stream, name="stream"),
    path("api/notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("api/notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("api/notifications/<int:pk>/unread/", views.mark_unread, name="mark_unread"),
    path("api/notifications/<int:pk>/archive/", views.archive, name="archive"),
    path("api/notifications/<int:pk>/unarchive/", views.unarchive, name="unarchive"),
    path("api/notifications/seen-all/", state_views.mark_all_seen, name="mark_all_seen"),
    path("api/notifications/<int:pk>/snooze/", state_views.snooze, name="snooze"),
    path("api/notifications/<int:pk>/unsnooze/", state_views.unsnooze, name="unsnooze"),
    path("api/notifications/<int:pk>/mute/", state_views.mute, name="mute"),
    path("api/notifications/<int:pk>/follow/", state_views.follow, name="follow"),
    path("api/groups/", views.group_list, name="groups"),
    path("api/groups/<int:pk>/", views.group_detail, name="group"),
    path("api/groups/<int:pk>/read/", views.group_mark_read, name="group_read"),
    path("api/groups/<int:pk>/unread/", views.group_mark_unread, name="group_unread"),
    path("api/groups/<int:pk>/archive/", views.group_archive, name="group_archive"),
    path("api/groups/<int:pk>/unarchive/", views.group_unarchive, name="group_unarchive"),
]
