"""Counts of a trigger's deliveries per status, for its admin change page."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from django_signal_notifier.models import Delivery, DeliveryStatus, Trigger


def render_delivery_counts(trigger: Trigger) -> SafeString:
    """One query; each status links to the delivery log filtered on this trigger and status."""
    counts = dict(Delivery.objects.filter(trigger=trigger).values_list("status").annotate(n=Count("pk")).order_by())
    changelist = reverse("admin:django_signal_notifier_delivery_changelist")
    items = format_html_join(
        "",
        '<li class="dsn-count-{}"><a href="{}?trigger__id__exact={}&amp;status__exact={}">{}</a>: {}</li>',
        (
            (status.value, changelist, trigger.pk, status.value, status.label, counts.get(status.value, 0))
            for status in DeliveryStatus
        ),
    )
    return format_html('<ul class="dsn-delivery-counts">{}</ul>', items)
