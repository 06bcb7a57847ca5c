"""Template tags for the in-site inbox: ``{% load signal_notifier %}``.

``{% unread_notification_count %}``, ``{% unseen_notification_count %}``,
``{% latest_notifications 5 as items %}`` (``show="snoozed"`` for another folder),
``{% latest_entries 5 as entries %}`` (grouped),
``{% muted_threads as mutes %}``, ``{% notification_state_actions item %}`` (snooze, mute and
follow buttons), ``{% notification_badge %}``, ``{% notification_stream_url as url %}`` and
``{% notifier_api_url %}`` (for the web component); the inbox page's filters ``relative_time``, ``initials`` and
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
from django_signal_notifier.inbox.queries import (
    SHOWS,
    attach_references,
    inbox_queryset,
    thread_of,
    unread_count,
    unseen_count,
)
from django_signal_notifier.inbox.snooze import SNOOZE_CHOICES
from django_signal_notifier.models import Mute
from django_signal_notifier.realtime.views import stream_available

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
def unseen_notification_count(context: template.Context, user: Any = None) -> int:
    """The number of active notifications not yet seen (0 for an anonymous user): one COUNT."""
    user = _user(context, user)
    if user is None:
        return 0
    return int(_memo(context, ("unseen", user.pk), lambda: unseen_count(user)))


@register.simple_tag(takes_context=True)
def latest_notifications(
    context: template.Context, limit: int = 5, user: Any = None, show: str = "active"
) -> list[Any]:
    """The user's newest notifications of folder ``show`` (``active``, ``unread``, ``snoozed``, ``archived``, ``all``).

    One query, plus one per linked content type. Each item also has ``thread`` (what muting it
    silences, see :func:`~django_signal_notifier.inbox.queries.thread_of`) and ``thread_muted``.
    """
    user = _user(context, user)
    if user is None:
        return []
    if show not in SHOWS:
        raise template.TemplateSyntaxError(f"latest_notifications: show is one of {', '.join(SHOWS)}, not {show!r}.")
    limit = max(0, min(int(limit), int(app_settings.INBOX_MAX_PAGE_SIZE)))

    def compute() -> list[Any]:
        items = list(inbox_queryset(user, show)[:limit])
        attach_references(items)
        for item in items:
            item.thread = thread_of(item)
        return items

    return list(_memo(context, ("latest", user.pk, limit, show), compute))


@register.simple_tag(takes_context=True)
def muted_threads(context: template.Context, user: Any = None) -> list[Any]:
    """The user's mutes, newest first (``text``, ``content_type_id``, ``object_id``, ``created_at``): one query."""
    user = _user(context, user)
    if user is None:
        return []
    return list(_memo(context, ("mutes", user.pk), lambda: list(Mute.objects.for_user(user))))


@register.inclusion_tag("django_signal_notifier/inbox_state_actions.html", takes_context=True)
def notification_state_actions(context: template.Context, notification: Any, next_url: str = "") -> dict[str, Any]:
    """Snooze and mute/follow buttons (POST forms with CSRF) for one notification of ``latest_notifications``."""
    request = context.get("request")
    here = next_url or (request.get_full_path() if request is not None else "")
    snoozed_until = getattr(notification, "snoozed_until", None)
    return {
        "n": notification,
        "here": here,
        "show": "snoozed" if snoozed_until is not None and snoozed_until > timezone.now() else "active",
        "snooze_choices": SNOOZE_CHOICES,
        "csrf_token": context.get("csrf_token"),
    }


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
        "stream_url": notification_stream_url(context) if user is not None else "",
        "poll_interval": int(app_settings.INBOX_POLL_INTERVAL),
    }


@register.simple_tag(takes_context=True)
def notification_stream_url(context: template.Context) -> str:
    """The realtime stream's URL when this page can use it (ASGI and a pub/sub), else ``""``: poll then."""
    request = context.get("request")
    if request is None or not stream_available(request):
        return ""
    try:
        return reverse("django_signal_notifier_inbox:stream")
    except NoReverseMatch:
        return ""


@register.simple_tag
def notifier_api_url() -> str:
    """Where the HTTP API's v1 is mounted (``/inbox/api/v1``), for the web component's ``api``; "" if it is not."""
    try:
        return reverse("django_signal_notifier_api:openapi").removesuffix("/openapi.json")
    except NoReverseMatch:
        return ""


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
