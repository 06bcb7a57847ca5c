"""Reading a user's inbox: cached unread counts, pages, and links to the objects named.

Texts come from the snapshot columns written with each row, never from generic foreign keys.
Links (``get_absolute_url()`` of the actor, object and target) are resolved with one query per
content type on the page, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from django_signal_notifier.conf import app_settings
from django_signal_notifier.events.snapshot import safe_text
from django_signal_notifier.inbox.cache import cached
from django_signal_notifier.models import Notification

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
    *(column for columns in _ROLE_COLUMNS.values() for column in columns),
)


def unread_count(user: Any) -> int:
    """``user``'s inbox entries with an unread notification (a group counts once), cached per
    user until their inbox changes: the badge's number."""
    user_id = getattr(user, "pk", user)
    if user_id is None:
        return 0
    return cached(user_id, "unread", lambda: Notification.objects.unread_entry_count(user_id))


def inbox_queryset(user: Any, show: str = "active") -> Any:
    """``user``'s notifications, newest first: ``active`` (default), ``unread``, ``archived`` or ``all``."""
    qs = Notification.objects.for_user(user).only(*LIST_FIELDS).order_by("-created_at", "-id")
    if show == "unread":
        return qs.active().unread()
    if show == "archived":
        return qs.archived()
    if show == "all":
        return qs
    return qs.active()


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
    """``url`` if it is a relative, http or https link; "" for anything else (``javascript:``, …)."""
    url = (url or "").strip()
    if not url:
        return ""
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("", "http", "https") and not url.startswith("//") else ""


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
    }
