"""The blog's models: articles, comments on them, and users following authors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    """A blog post by one author."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles", verbose_name=_("author")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:article", args=[self.slug])


class Comment(models.Model):
    """A comment on an article; its article's author is notified."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments", verbose_name=_("author")
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 60 else text[:59] + "…"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"


class Follow(models.Model):
    """``follower`` follows the articles of ``author``; the author is notified."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following", verbose_name=_("follower")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["follower", "author"], name="blog_follow_once")]

    def __str__(self) -> str:
        return f"{self.follower} → {self.author}"

    def get_absolute_url(self) -> str:
        return reverse("blog:author", args=[self.follower.get_username()])
