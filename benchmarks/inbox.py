"""What an inbox page does (S5): unread count, newest 20, their objects, a template render.

Shared by the benchmark and by ``tests/fanout/test_query_counts.py``; it depends only on the package's
models, so it runs under any settings.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.template import engines

PAGE = 20
TEMPLATE = Path(__file__).resolve().parent / "templates" / "benchmarks" / "inbox.html"
GROUPED_TEMPLATE = Path(__file__).resolve().parent / "templates" / "benchmarks" / "inbox_grouped.html"


@cache
def _template(path: Path = TEMPLATE) -> Any:
    return engines["django"].from_string(path.read_text(encoding="utf-8"))


def _objects(page: list[Any]) -> dict[tuple[int, str], Any]:
    """The page's action objects, one query per content type."""
    wanted: dict[int, list[str]] = defaultdict(list)
    for notification in page:
        if notification.action_object_content_type_id and notification.action_object_id:
            wanted[notification.action_object_content_type_id].append(notification.action_object_id)
    objects: dict[tuple[int, str], Any] = {}
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for pk, obj in model._default_manager.in_bulk(ids).items():
            objects[(ct_id, str(pk))] = obj
    return objects


def grouped_inbox_page(user: Any, page_size: int = PAGE) -> str:
    """S5 grouped: the unread entry count, the newest 20 entries (each group's newest row, its size,
    unread count and first actors, in one query) and their objects: three queries."""
    from django_signal_notifier.inbox.grouping import entry_rows
    from django_signal_notifier.models import Notification

    unread = Notification.objects.unread_entry_count(user)
    page = entry_rows(user, "active", page_size, 0)
    objects = _objects(page)
    rows = [
        {"notification": n, "object": objects.get((n.action_object_content_type_id, n.action_object_id))} for n in page
    ]
    return str(_template(GROUPED_TEMPLATE).render({"unread_count": unread, "notifications": rows}))


def inbox_page(user: Any, page_size: int = PAGE) -> str:
    """Three queries: the unread count, the page, and the page's objects (one per content type)."""
    from django_signal_notifier.models import Notification

    unread = Notification.objects.unread_count(user)
    page = list(Notification.objects.for_user(user).active().order_by("-created_at", "-id")[:page_size])
    objects = _objects(page)
    rows = [
        {"notification": n, "object": objects.get((n.action_object_content_type_id, n.action_object_id))} for n in page
    ]
    return str(_template().render({"unread_count": unread, "notifications": rows}))
