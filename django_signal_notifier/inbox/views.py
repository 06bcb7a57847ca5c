"""Inbox endpoints: the HTML page and the JSON API, for the signed-in user's own notifications only.

Reads are GET; writes are POST behind CSRF protection (GET gets 405). The JSON endpoints answer
an anonymous request with 401 and a JSON error; the page redirects to the login page. Another
user's notification id gets 404 and changes nothing: every lookup and every UPDATE is filtered
by the requesting user.

A write posted by an HTML form carries ``next``: the answer is then a 303 redirect to it (when it
is a safe, same-site URL). Without ``next`` the answer is JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from django_signal_notifier.conf import app_settings
from django_signal_notifier.inbox.grouping import entries_page, group_members, group_queryset
from django_signal_notifier.inbox.queries import (
    as_json,
    attach_mute_state,
    attach_references,
    inbox_queryset,
    safe_link,
    thread_of,
    unread_count,
)
from django_signal_notifier.inbox.snooze import SNOOZE_CHOICES
from django_signal_notifier.models import Notification

SHOW_CHOICES = ("active", "unread", "snoozed", "archived", "all")
View = Callable[..., HttpResponse]


def _json_login_required(view: View) -> View:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Authentication required.")}, status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _private(response: HttpResponse) -> HttpResponse:
    """Per-user answers: never stored by a shared cache, always revalidated by the browser."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def _show(request: HttpRequest) -> str:
    show = request.GET.get("show", "active")
    return show if show in SHOW_CHOICES else "active"


def _page_size(request: HttpRequest) -> int:
    size = int(app_settings.INBOX_PAGE_SIZE)
    try:
        size = max(1, min(int(request.GET.get("page_size", size)), int(app_settings.INBOX_MAX_PAGE_SIZE)))
    except ValueError:
        pass
    return size


def _mark_reader(request: HttpRequest, notifications: list[Any]) -> None:
    reader = (ContentType.objects.get_for_model(get_user_model()).pk, str(request.user.pk))
    for notification in notifications:
        # "in alice" says nothing to alice: the page leaves out a target that is the reader.
        target = notification.target_ref
        notification.target_is_reader = (target.content_type_id, target.object_id) == reader
        notification.thread = thread_of(notification)


def _page(request: HttpRequest, show: str) -> Any:
    size = _page_size(request)
    paginator = Paginator(inbox_queryset(request.user, show), size)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    notifications = list(page.object_list)
    attach_references(notifications)
    _mark_reader(request, notifications)
    page.object_list = notifications
    return page


def _entries(request: HttpRequest, show: str) -> Any:
    """A page of the user's entries (groups), each the newest row with ``entry`` and ``summary``."""
    page = entries_page(request.user, show, request.GET.get("page", 1), _page_size(request))
    attach_mute_state(list(page.object_list), request.user)
    _mark_reader(request, list(page.object_list))
    return page


def entry_json(row: Notification) -> dict[str, Any]:
    """The JSON shape of one entry: its newest notification, the summary line and the group's facts."""
    return {
        **as_json(row),
        "summary": row.summary,  # type: ignore[attr-defined]
        "group": row.entry.as_dict(),  # type: ignore[attr-defined]
    }


@require_safe
@_json_login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """GET: a page of the user's inbox entries, newest first; a group of notifications is one entry."""
    show = _show(request)
    page = _entries(request, show)
    return _private(
        JsonResponse(
            {
                "results": [entry_json(row) for row in page.object_list],
                "page": page.number,
                "num_pages": page.paginator.num_pages,
                "count": page.paginator.count,
                "show": show,
                "unread_count": unread_count(request.user),
            }
        )
    )


@require_safe
@_json_login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the notifications of the entry that notification ``pk`` belongs to, newest first."""
    show = request.GET.get("show", "all")
    members = list(group_members(request.user, pk, show if show in SHOW_CHOICES else "all")[: _member_limit()])
    if not members:
        return JsonResponse({"error": _("No such notification.")}, status=404)
    attach_references(members)
    return _private(JsonResponse({"id": pk, "results": [as_json(n) for n in members]}))


def _member_limit() -> int:
    return int(app_settings.INBOX_MAX_PAGE_SIZE)


def _write_group(action: str) -> View:
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        members = group_queryset(request.user, pk)
        if not Notification.objects.for_user(request.user).filter(pk=pk).exists():
            return JsonResponse({"error": _("No such notification.")}, status=404)
        changed = getattr(members, action)(user=request.user)
        return _after_write(request, {"id": pk, "changed": int(changed)})

    view.__name__ = f"group_{action}"
    view.__doc__ = f"POST: {action.replace('_', ' ')} every notification of the entry of ``pk``."
    return require_POST(csrf_protect(_json_login_required(view)))


group_mark_read = _write_group("mark_as_read")
group_mark_unread = _write_group("mark_as_unread")
group_archive = _write_group("archive")
group_unarchive = _write_group("unarchive")


@require_safe
@_json_login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """GET: a page of the user's notifications, newest first (``?page=``, ``?page_size=``, ``?show=``)."""
    show = _show(request)
    page = _page(request, show)
    return _private(
        JsonResponse(
            {
                "results": [as_json(n) for n in page.object_list],
                "page": page.number,
                "num_pages": page.paginator.num_pages,
                "count": page.paginator.count,
                "show": show,
                "unread_count": unread_count(request.user),
            }
        )
    )


def _count_etag(user_id: Any, count: int) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{user_id}:{count}".encode()).hexdigest()[:24]
    return quote_etag(digest)


@require_safe
@_json_login_required
def unread_count_view(request: HttpRequest) -> HttpResponse:
    """GET: ``{"unread_count": n}`` with an ETag; ``If-None-Match`` with it answers 304 while n is unchanged."""
    count = unread_count(request.user)
    etag = _count_etag(request.user.pk, count)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        response = JsonResponse({"unread_count": count})
    response["ETag"] = etag
    return _private(response)


def redirect_hosts() -> set[str]:
    """The hosts a ``next=`` redirect may name: SITE_URL's and ALLOWED_REDIRECT_HOSTS.

    Never the request's Host header: a client chooses it, and with ``ALLOWED_HOSTS = ['*']``
    Django accepts any. A path (no host) is always allowed.
    """
    hosts = {str(host) for host in app_settings.ALLOWED_REDIRECT_HOSTS or ()}
    site = app_settings.SITE_URL
    if isinstance(site, str) and site:
        host = urlsplit(site).netloc
        if host:
            hosts.add(host)
    return hosts


def _after_write(request: HttpRequest, payload: dict[str, Any]) -> HttpResponse:
    target = safe_link(request.POST.get("next", ""))
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts=redirect_hosts(), require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target, status=303)
    payload["unread_count"] = unread_count(request.user)
    return JsonResponse(payload)


def _write_one(action: str) -> View:
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        # The UPDATE itself is limited to the user's rows; the existence check only tells an
        # unchanged own notification (200) from someone else's or a missing one (404).
        changed = getattr(Notification.objects.filter(pk=pk), action)(user=request.user)
        if not changed and not Notification.objects.for_user(request.user).filter(pk=pk).exists():
            return JsonResponse({"error": _("No such notification.")}, status=404)
        return _after_write(request, {"id": pk, "changed": bool(changed)})

    view.__name__ = action
    view.__doc__ = f"POST: {action.replace('_', ' ')} one of the user's notifications (404 for anyone else's)."
    return require_POST(csrf_protect(_json_login_required(view)))


mark_read = _write_one("mark_as_read")
mark_unread = _write_one("mark_as_unread")
archive = _write_one("archive")
unarchive = _write_one("unarchive")


@require_POST
@csrf_protect
@_json_login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """POST: mark all the user's notifications read, in one UPDATE."""
    changed = Notification.objects.mark_all_as_read(request.user)
    return _after_write(request, {"changed": changed})


@require_safe
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The inbox page (template ``django_signal_notifier/inbox.html``); works without JavaScript."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    show = _show(request)
    page = _entries(request, show)
    expanded = _expanded(request, show)
    shown = [n for n in [*page.object_list, *(expanded["members"] if expanded else [])] if n.seen_at is None]
    if shown and show in ("active", "unread"):
        # Showing an entry is seeing its notifications (one UPDATE, none when nothing is new);
        # the rows keep their "new" mark on this rendering.
        keys = {n.group_key for n in shown if n.group_key}
        unseen = Notification.objects.for_user(request.user).filter(seen_at__isnull=True)
        unseen.filter(Q(pk__in=[n.pk for n in shown]) | Q(group_key__in=keys)).mark_as_seen(request.user)
    context = {
        "page_obj": page,
        "notifications": page.object_list,
        "expanded": expanded,
        "show": show,
        "show_choices": [
            ("active", _("Inbox")),
            ("unread", _("Unread")),
            ("snoozed", _("Snoozed")),
            ("archived", _("Archived")),
            ("all", _("All")),
        ],
        "unread_count": unread_count(request.user),
        "here": request.get_full_path(),
        "inbox_url": reverse("django_signal_notifier_inbox:page"),
        # The unread folder's count is live: badge.js polls it like the site's badge.
        "unread_count_url": reverse("django_signal_notifier_inbox:unread_count"),
        "poll_interval": int(app_settings.INBOX_POLL_INTERVAL),
        "snooze_choices": SNOOZE_CHOICES,
    }
    return _private(render(request, "django_signal_notifier/inbox.html", context))


def _expanded(request: HttpRequest, show: str) -> dict[str, Any] | None:
    """The members of the entry named by ``?expand=<notification id>`` (the page's expanded group)."""
    try:
        pk = int(request.GET.get("expand", ""))
    except ValueError:
        return None
    members = list(group_members(request.user, pk, show)[: _member_limit()])
    attach_references(members)
    return {"id": pk, "members": members} if members else None
