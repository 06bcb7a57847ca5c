"""The blog's pages, and the demo's own inbox page (it reads Notification rows directly)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from blog.forms import CommentForm
from blog.models import Article, Follow
from django_signal_notifier.models import Notification


def article_list(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.select_related("author")
    return render(request, "blog/article_list.html", {"articles": articles})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("author"), slug=slug)
    form = CommentForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={article.get_absolute_url()}")
        form = CommentForm(request.POST)
        if form.is_valid():
            comment = form.save(commit=False)
            comment.article = article
            comment.author = request.user
            comment.save()
            messages.success(request, "Your comment was posted.")
            return redirect(comment.get_absolute_url())
    comments = article.comments.select_related("author")
    return render(request, "blog/article_detail.html", {"article": article, "comments": comments, "form": form})


def author_detail(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(get_user_model(), username=username)
    following = request.user.is_authenticated and Follow.objects.filter(follower=request.user, author=author).exists()
    return render(
        request,
        "blog/author_detail.html",
        {"author": author, "articles": author.articles.all(), "following": following},
    )


@login_required
@require_POST
def toggle_follow(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(get_user_model(), username=username)
    follower = cast(Any, request.user)  # signed in: login_required
    if author != follower:
        deleted, _ = Follow.objects.filter(follower=follower, author=author).delete()
        if not deleted:
            Follow.objects.create(follower=follower, author=author)
    return redirect("blog:author", username=username)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_user(request.user).active()[:50]
    return render(request, "blog/inbox.html", {"notifications": notifications})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.for_user(request.user).mark_all_as_read()
    return redirect("blog:inbox")
