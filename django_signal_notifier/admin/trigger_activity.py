"""What a trigger did, for its admin change page: its deliveries per status and its latest failures.

Rendered with the overridable templates ``django_signal_notifier/admin/delivery_counts.html`` and
``django_signal_notifier/admin/recent_failures.html``.
"""

from __future__ import annotations

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from django_signal_notifier.models import Delivery, DeliveryStatus, Trigger

RECENT_FAILURES = 5
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.DEAD)


def render_delivery_counts(trigger: Trigger) -> SafeString:
    """One query; each status links to the delivery log filtered on this trigger and status."""
    counts = dict(Delivery.objects.filter(trigger=trigger).values_list("status").annotate(n=Count("pk")).order_by())
    rows = [
        {"status": status.value, "label": status.label, "count": counts.get(status.value, 0)}
        for status in DeliveryStatus
    ]
    html = render_to_string(
        "django_signal_notifier/admin/delivery_counts.html",
        {"trigger": trigger, "rows": rows, "changelist": reverse("admin:django_signal_notifier_delivery_changelist")},
    )
    return mark_safe(html)  # the template engine escaped it


def render_recent_failures(trigger: Trigger) -> SafeString:
    """The trigger's latest failed or dead deliveries (one query), each a link to its log row."""
    failures = list(
        Delivery.objects.filter(trigger=trigger, status__in=FAILED)
        .select_related("recipient")
        .only("pk", "status", "channel", "last_error", "updated_at", "recipient", "sent_to", "address")
        .order_by("-updated_at", "-pk")[:RECENT_FAILURES]
    )
    html = render_to_string(
        "django_signal_notifier/admin/recent_failures.html",
        {
            "trigger": trigger,
            "failures": failures,
            "changelist": reverse("admin:django_signal_notifier_delivery_changelist"),
        },
    )
    return mark_safe(html)  # the template engine escaped it
