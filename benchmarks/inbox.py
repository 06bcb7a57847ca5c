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


@cache
def _template() -> Any:
    return engines["django"].from_string(TEMPLATE.read_text(encoding="utf-8"))


def inbox_page(user: Any, page_size: int = PAGE) -> str:
    """Three queries: the unread count, the page, and the page's objects (one per content type)."""
    from django_signal_notifier.models import Notification

    unread = Notification.objects.unread_count(user)
    page = list(Notification.objects.for_user(user).active().order_by("-created_at", "-id")[:page_size])
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
    rows = [
        {"notification": n, "object": objects.get((n.action_object_content_type_id, n.action_object_id))} for n in page
    ]
    return str(_template().render({"unread_count": unread, "notifications": rows}))
