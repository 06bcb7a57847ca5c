from django.urls import path

from blog import views

app_name = "blog"
urlpatterns = [
    path("", views.article_list, name="index"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("authors/<str:username>/", views.author_detail, name="author"),
    path("authors/<str:username>/follow/", views.toggle_follow, name="follow"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="inbox-read"),
]
