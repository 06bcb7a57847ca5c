"""The trigger's admin page: each subscription's steps in the order they run."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from django_signal_notifier.config.steps import describe, step_for


def render_workflow(trigger: Any) -> SafeString | str:
    """One list per subscription: its backends in order (as the fan-out runs them), each with its step."""
    subscriptions = list(trigger.subscriptions.all())
    if not subscriptions:
        return "–"
    blocks = []
    for subscription in subscriptions:
        backends = sorted(subscription.backends.all(), key=lambda backend: backend.pk)
        steps = format_html_join(
            "",
            "<li><strong>{}</strong> — {}</li>",
            ((backend, describe(step_for(subscription.steps, backend))) for backend in backends),
        )
        blocks.append(
            format_html(
                '<div class="dsn-workflow"><p>{}</p><ol>{}</ol></div>',
                subscription,
                steps or format_html("<li>{}</li>", _("no backend")),
            )
        )
    return format_html_join("", "{}", ((block,) for block in blocks))
