"""Benchmark models.

``Post`` is the model whose saves notify; ``NoteRow`` is the reference's 6-column
notification-like table; ``Idle`` is a model no trigger names; ``Watched00`` … ``Watched49``
are 50 distinct models, each given its own trigger by scenario S1, so the index really holds
50 sender models (the idle-tax claim is about *other models* having triggers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

WATCHED_COUNT = 50


class Post(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/posts/{self.pk}/"


class NoteRow(models.Model):
    """The physical minimum of an inbox row: 6 columns (id included)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=128)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()


class Idle(models.Model):
    """A model that no trigger names (S1 creates it)."""

    name = models.CharField(max_length=100)


def _watched(index: int) -> type[models.Model]:
    name = f"Watched{index:02d}"
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": name,
        "name": models.CharField(max_length=100),
        "__str__": lambda self: self.name,
    }
    return type(name, (models.Model,), attrs)


WATCHED_MODELS: list[type[models.Model]] = [_watched(i) for i in range(WATCHED_COUNT)]
for _model in WATCHED_MODELS:
    globals()[_model.__name__] = _model
