"""Template tags for the in-site inbox: ``{% load signal_notifier %}``.

``{% unread_notification_count %}``, ``{% latest_notifications 5 as items %}`` and
``{% notification_badge %}``. Each works for the user given, else the request's user, else the
context's ``user``. Values are cached per user id (and per inbox version) and memoised on the
request, so a page can use them many times for one query each at most, and a value computed for
one user is never shown to another.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from django_signal_notifier.conf import app_settings
from django_signal_notifier.inbox.queries import attach_references, inbox_queryset, unread_count

register = template.Library()
_MEMO_ATTRIBUTE = "_signal_notifier_inbox_memo"


def _user(context: template.Context, user: Any) -> Any:
    if user is None:
        request = context.get("request")
        user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _memo(context: template.Context, key: tuple[Any, ...], compute: Any) -> Any:
    """Memoise on the request (when there is one), keyed by the user id among the rest."""
    request = context.get("request")
    if request is None:
        return compute()
    memo: dict[tuple[Any, ...], Any] = request.__dict__.setdefault(_MEMO_ATTRIBUTE, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context, user: Any = None) -> int:
    """The number of active unread notifications (0 for an anonymous user)."""
    user = _user(context, user)
    if user is None:
        return 0
    return int(_memo(context, ("unread", user.pk), lambda: unread_count(user)))


@register.simple_tag(takes_context=True)
def latest_notifications(context: template.Context, limit: int = 5, user: Any = None) -> list[Any]:
    """The user's newest active notifications (one query, plus one per linked content type)."""
    user = _user(context, user)
    if user is None:
        return []
    limit = max(0, min(int(limit), int(app_settings.INBOX_MAX_PAGE_SIZE)))

    def compute() -> list[Any]:
        items = list(inbox_queryset(user)[:limit])
        attach_references(items)
        return items

    return list(_memo(context, ("latest", user.pk, limit), compute))


@register.inclusion_tag("django_signal_notifier/badge.html", takes_context=True)
def notification_badge(context: template.Context, user: Any = None) -> dict[str, Any]:
    """A link to the inbox with a live unread count (include ``badge.js`` once on the page)."""
    user = _user(context, user)
    try:
        inbox_url = reverse("django_signal_notifier_inbox:page")
        count_url = reverse("django_signal_notifier_inbox:unread_count")
    except NoReverseMatch:
        inbox_url = count_url = ""
    return {
        "user": user,
        "count": unread_notification_count(context, user) if user is not None else 0,
        "inbox_url": inbox_url,
        "count_url": count_url,
        "poll_interval": int(app_settings.INBOX_POLL_INTERVAL),
    }
