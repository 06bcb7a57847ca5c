"""Reading a user's inbox: cached unread counts, pages, and links to the objects named.

Texts come from the snapshot columns written with each row, never from generic foreign keys.
Links (``get_absolute_url()`` of the actor, object and target) are resolved with one query per
content type on the page, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from django_signal_notifier.conf import app_settings
from django_signal_notifier.events.snapshot import safe_text
from django_signal_notifier.inbox.cache import bump, cached
from django_signal_notifier.models import Mute, Notification

ROLES = ("actor", "action_object", "target")
_ROLE_COLUMNS = {
    "actor": ("actor_content_type_id", "actor_object_id", "actor_text"),
    "action_object": ("action_object_content_type_id", "action_object_id", "action_object_text"),
    "target": ("target_content_type_id", "target_object_id", "target_text"),
}
# The columns a listing reads: no body of unrelated relations, no recipient row.
LIST_FIELDS = (
    "id",
    "verb",
    "title",
    "body",
    "url",
    "data",
    "unread",
    "archived",
    "created_at",
    "recipient",
    "seen_at",
    "read_at",
    "snoozed_until",
    "expires_at",
    *(column for columns in _ROLE_COLUMNS.values() for column in columns),
)


def unread_count(user: Any) -> int:
    """``user``'s inbox entries with an active unread notification (a group counts once): the badge's
    number, cached per user until their inbox changes.

    Also until the next snoozed notification wakes up or the next counted one expires: those
    change the count without a write, so the cached value carries the moment it stops holding.
    """
    user_id = getattr(user, "pk", user)
    if user_id is None:
        return 0
    count, until = _count_and_until(cached(user_id, "unread", lambda: Notification.objects.unread_state(user_id)))
    if until is not None and timezone.now() >= until:
        bump([user_id])
        count, until = _count_and_until(cached(user_id, "unread", lambda: Notification.objects.unread_state(user_id)))
    return count


def _count_and_until(value: Any) -> tuple[int, datetime | None]:
    # A plain number is a count cached by an earlier release (or set by hand): good until a write.
    if isinstance(value, tuple | list):
        return int(value[0]), value[1]
    return int(value), None


def unseen_count(user: Any) -> int:
    """``user``'s active notifications not yet seen (the badge's count when it counts unseen): one COUNT."""
    user_id = getattr(user, "pk", user)
    if user_id is None:
        return 0
    return int(Notification.objects.for_user(user_id).active().unseen().count())


def with_mute_state(queryset: Any) -> Any:
    """``queryset`` with ``thread_muted``: whether its recipient muted the notification's object or target.

    A correlated ``EXISTS`` on the mute table's unique index, in the same query as the page.
    """
    mutes = Mute.objects.filter(user_id=OuterRef("recipient_id")).filter(
        Q(content_type_id=OuterRef("target_content_type_id"), object_id=OuterRef("target_object_id"))
        | Q(content_type_id=OuterRef("action_object_content_type_id"), object_id=OuterRef("action_object_id"))
    )
    return queryset.annotate(thread_muted=Exists(mutes))


def attach_mute_state(notifications: list[Notification], user: Any) -> None:
    """Set ``thread_muted`` on rows read without :func:`with_mute_state` (the grouped page's raw
    query): one query for the user's mutes, none for an empty list."""
    if not notifications:
        return
    muted = set(Mute.objects.filter(user=user).values_list("content_type_id", "object_id"))
    for row in notifications:
        pairs = {
            (row.target_content_type_id, row.target_object_id),
            (row.action_object_content_type_id, row.action_object_id),
        }
        row.thread_muted = bool(muted & pairs)  # type: ignore[attr-defined]


SHOWS = ("active", "unread", "snoozed", "archived", "all")


def inbox_queryset(user: Any, show: str = "active") -> Any:
    """``user``'s notifications, newest first: ``active`` (default), ``unread``, ``snoozed``, ``archived`` or ``all``.

    Expired notifications are in none of them; snoozed ones only in ``snoozed`` until they wake.
    """
    qs = with_mute_state(Notification.objects.for_user(user).only(*LIST_FIELDS).order_by("-created_at", "-id"))
    if show == "unread":
        return qs.active().unread()
    if show == "snoozed":
        return qs.filter(archived=False).snoozed().exclude(expires_at__lte=timezone.now())
    if show == "archived":
        return qs.archived().exclude(expires_at__lte=timezone.now())
    if show == "all":
        return qs.exclude(expires_at__lte=timezone.now())
    return qs.active()


def thread_of(notification: Notification) -> tuple[int, str, str] | None:
    """What muting ``notification`` silences: its target (the thread), else its object; None: nothing.

    A target that is the recipient themselves ("… on your profile") is no thread to mute.
    ``(content type id, object id, text)``.
    """
    target_ct, target_id = notification.target_content_type_id, notification.target_object_id
    if target_ct and target_id and not _is_recipient(notification, target_ct, target_id):
        return int(target_ct), target_id, notification.target_text
    object_ct, object_id = notification.action_object_content_type_id, notification.action_object_id
    if object_ct and object_id and not _is_recipient(notification, object_ct, object_id):
        return int(object_ct), object_id, notification.action_object_text
    return None


def _is_recipient(notification: Notification, ct_id: int, object_id: str) -> bool:
    user_ct = ContentType.objects.get_for_model(get_user_model()).pk
    return bool(ct_id == user_ct and object_id == str(notification.recipient_id))


@dataclass(frozen=True)
class Reference:
    """The actor, object or target of a notification: its stored text and, if resolvable, a link."""

    role: str
    text: str
    url: str
    content_type_id: int | None
    object_id: str

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "url": self.url, "content_type": self.content_type_id, "id": self.object_id}

    def __str__(self) -> str:
        return self.text


def safe_link(url: str) -> str:
    r"""``url`` if it is a path of the site or an http(s) link; "" for anything else.

    Refused: other schemes (``javascript:``…), control characters (a browser drops tabs and
    newlines, so ``/\t/evil.example`` is ``//evil.example``), and anything a browser reads as
    another host though it looks like a path: ``//evil.example``, ``/\\evil.example`` (a backslash
    counts as a slash in http(s) URLs). Backslashes in a path are read as slashes before the check.
    """
    url = (url or "").strip()
    if not url or any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return ""
    end = min((url.find(mark) for mark in "?#" if mark in url), default=len(url))
    normalised = url[:end].replace("\\", "/") + url[end:]
    parts = urlsplit(normalised)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return normalised if parts.netloc else ""
    if scheme or parts.netloc or normalised.startswith("//"):
        return ""
    return normalised


def attach_references(notifications: Sequence[Notification], resolve_urls: bool | None = None) -> None:
    """Give each notification ``actor_ref``, ``action_object_ref``, ``target_ref`` and ``link``.

    ``link`` is the notification's ``url`` when it is safe to put in an ``href`` (see :func:`safe_link`).

    With ``resolve_urls`` (default: INBOX_OBJECT_URLS) the live objects are fetched, one query per
    content type whose model defines ``get_absolute_url``; deleted objects keep their text, unlinked.
    """
    if resolve_urls is None:
        resolve_urls = bool(app_settings.INBOX_OBJECT_URLS)
    urls = _resolve_urls(notifications) if resolve_urls else {}
    for notification in notifications:
        notification.link = safe_link(notification.url)  # type: ignore[attr-defined]
        for role in ROLES:
            ct_column, id_column, text_column = _ROLE_COLUMNS[role]
            ct_id, object_id = getattr(notification, ct_column), getattr(notification, id_column)
            reference = Reference(
                role=role,
                text=getattr(notification, text_column),
                url=urls.get((ct_id, object_id), ""),
                content_type_id=ct_id,
                object_id=object_id,
            )
            setattr(notification, f"{role}_ref", reference)


def _resolve_urls(notifications: Iterable[Notification]) -> dict[tuple[int, str], str]:
    wanted: dict[int, set[str]] = defaultdict(set)
    for notification in notifications:
        for role in ROLES:
            ct_column, id_column, _ = _ROLE_COLUMNS[role]
            ct_id, object_id = getattr(notification, ct_column), getattr(notification, id_column)
            if ct_id and object_id:
                wanted[ct_id].add(object_id)
    urls: dict[tuple[int, str], str] = {}
    for ct_id, object_ids in wanted.items():
        try:
            model = ContentType.objects.get_for_id(ct_id).model_class()
        except ContentType.DoesNotExist:
            continue
        if model is None or not callable(getattr(model, "get_absolute_url", None)):
            continue  # nothing to link to: spend no query
        keys: dict[Any, str] = {}
        for object_id in object_ids:
            try:
                keys[model._meta.pk.to_python(object_id)] = object_id
            except (ValidationError, ValueError, TypeError):
                continue
        for pk, obj in model._default_manager.in_bulk(list(keys)).items():
            try:
                url = safe_link(safe_text(getattr(obj, "get_absolute_url")(), 500))  # noqa: B009
            except Exception:  # a broken get_absolute_url must not break the inbox
                url = ""
            urls[(ct_id, keys.get(pk, str(pk)))] = url
    return urls


def as_json(notification: Notification) -> dict[str, Any]:
    """The JSON shape of one notification (after :func:`attach_references`)."""
    return {
        "id": notification.pk,
        "verb": notification.verb,
        "title": notification.title or str(notification),
        "body": notification.body,
        "url": getattr(notification, "link", safe_link(notification.url)),
        "unread": notification.unread,
        "archived": notification.archived,
        "created_at": notification.created_at.isoformat(),
        "data": notification.data,
        **{role: getattr(notification, f"{role}_ref").as_dict() for role in ROLES},
        **inbox_state(notification),
    }


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def inbox_state(notification: Notification) -> dict[str, Any]:
    """The seen, read, snooze, expiry and mute state of one notification, as JSON."""
    thread = thread_of(notification)
    return {
        "seen": notification.seen_at is not None,
        "seen_at": _moment(notification.seen_at),
        "read_at": _moment(notification.read_at),
        "snoozed_until": _moment(notification.snoozed_until),
        "expires_at": _moment(notification.expires_at),
        "thread": None
        if thread is None
        else {
            "content_type": thread[0],
            "id": thread[1],
            "text": thread[2],
            "muted": bool(getattr(notification, "thread_muted", False)),
        },
    }
