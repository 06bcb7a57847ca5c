"""``{% demo_unread_count as count %}``: the demo's own unread count, for its own inbox page (blog/inbox.html)."""

from __future__ import annotations

from typing import Any

from django import template

from django_signal_notifier.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def demo_unread_count(context: dict[str, Any]) -> int:
    """The signed-in user's unread in-site notifications (one COUNT query), 0 when signed out."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return int(Notification.objects.unread_count(user))
