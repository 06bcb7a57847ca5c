"""Models for the test suite: integer, UUID and string primary keys, relations."""

import uuid

from django.conf import settings
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True)
    status = models.CharField(max_length=20, default="draft")
    priority = models.IntegerField(default=0)
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="followed_articles", blank=True)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/articles/{self.pk}/"


class UUIDThing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class SlugThing(models.Model):
    slug = models.CharField(primary_key=True, max_length=50)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Quiet(models.Model):
    """A model no trigger ever names."""

    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=50)
    articles = models.ManyToManyField(Article, related_name="tags", blank=True)


class Comment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.text[:50]


class SentRecord(models.Model):
    """One row per message a test messenger really sent: the durable trace of the outside world."""

    delivery_id = models.BigIntegerField(db_index=True)
    pid = models.IntegerField()
    address = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)


class Appointment(models.Model):
    """Something with a time: reminders (send_at steps) are set relative to ``starts_at``."""

    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(null=True, blank=True)
    day = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Booking(models.Model):
    """A user's place at an appointment: a reminder's path is ``appointment.starts_at``."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.user_id} at {self.appointment_id}"
