"""A user's project in miniature: a view that creates a comment and notifies the article's author."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from django_signal_notifier import notify
from tests.testapp.models import Article, Comment


@login_required
def add_comment(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    comment = Comment.objects.create(article=article, author=request.user, text=request.POST["text"])
    if article.author is not None and article.author != request.user:
        notify(
            "commented",
            recipients=article.author,
            actor=request.user,
            action_object=comment,
            target=article,
            channels=["InSiteMessenger", "TestMessenger"],
            subject=f"{request.user} commented on “{article}”",
            text=comment.text,
            url=article.get_absolute_url(),
        )
    return HttpResponse(status=201)


urlpatterns = [
    path("articles/<int:article_id>/comments/", add_comment),
    path("inbox/", include("django_signal_notifier.inbox.urls")),
]
