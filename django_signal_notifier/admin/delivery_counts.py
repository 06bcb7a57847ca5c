"""Counts of a trigger's deliveries per status, for its admin change page.

Rendered with the overridable template ``django_signal_notifier/admin/delivery_counts.html``.
"""

from __future__ import annotations

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from django_signal_notifier.models import Delivery, DeliveryStatus, Trigger


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
