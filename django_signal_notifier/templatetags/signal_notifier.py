"""Template tags for the in-site inbox: ``{% load signal_notifier %}``.

``{% unread_notification_count %}``, ``{% latest_notifications 5 as items %}``,
``{% latest_entries 5 as entries %}`` (grouped) and
``{% notification_badge %}``; the inbox page's filters ``relative_time``, ``initials`` and
``avatar_class``. Each works for the user given, else the request's user, else the
context's ``user``. Values are cached per user id (and per inbox version) and memoised on the
request, so a page can use them many times for one query each at most, and a value computed for
one user is never shown to another.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from django_signal_notifier.conf import app_settings
from django_signal_notifier.inbox.grouping import entry_rows
from django_signal_notifier.inbox.queries import attach_references, inbox_queryset, unread_count

register = template.Library()
_MEMO_ATTRIBUTE = "_signal_notifier_inbox_memo"
AVATAR_COLOURS = 8  # .dsn-hue-0 … .dsn-hue-7 in pages.css


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
    """The number of inbox entries with an unread notification, a group counting once (0 for an anonymous user)."""
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


@register.simple_tag(takes_context=True)
def latest_entries(context: template.Context, limit: int = 5, user: Any = None) -> list[Any]:
    """The user's newest inbox entries: a group of notifications is one (one query, plus one per
    linked content type). Each is its newest notification with ``summary`` ("bob and 3 others …")
    and ``entry`` (``size``, ``unread_count``, ``actors``, ``actors_text``)."""
    user = _user(context, user)
    if user is None:
        return []
    limit = max(1, min(int(limit), int(app_settings.INBOX_MAX_PAGE_SIZE)))

    def compute() -> list[Any]:
        rows = entry_rows(user, "active", limit)
        attach_references(rows)
        return rows

    return list(_memo(context, ("entries", user.pk, limit), compute))


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


@register.filter
def relative_time(value: Any) -> str:
    """'just now', '5 minutes ago', '3 days ago'; a date once it is a week old or more."""
    if not isinstance(value, datetime):
        return ""
    now = timezone.now() if timezone.is_aware(value) else datetime.now()
    age = now - value
    if age < timedelta(minutes=1):
        return _("just now")
    if age < timedelta(days=7):
        return _("%(time)s ago") % {"time": timesince(value, now, depth=1)}
    return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATE_FORMAT")


@register.filter
def initials(name: Any) -> str:
    """Up to two initials of a name, for an avatar: 'Ada Lovelace' -> 'AL', 'bob' -> 'B'."""
    words = [word for word in str(name or "").replace("_", " ").replace(".", " ").split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper()


@register.filter
def avatar_class(name: Any) -> str:
    """One of eight colour classes, the same for the same name on every page and in every process."""
    digest = hashlib.blake2s(str(name or "").encode(), digest_size=1).digest()[0]
    return f"dsn-hue-{digest % AVATAR_COLOURS}"
