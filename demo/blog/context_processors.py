"""The unread count shown in the base layout's badge block."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from django_signal_notifier.models import Notification


def inbox(request: HttpRequest) -> dict[str, Any]:
    """``demo_unread_count``: the user's unread in-site notifications, lazily (one query if used)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"demo_unread_count": lambda: Notification.objects.unread_count(user)}
