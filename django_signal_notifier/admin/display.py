"""Read-only values as the admin shows them: indented JSON, and the admin's own stylesheet and script."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString

ADMIN_MEDIA = forms.Media(
    css={"all": ["django_signal_notifier/admin/admin.css"]},
    js=["django_signal_notifier/admin/admin.js"],
)


def pretty_json(value: Any) -> SafeString:
    """``value`` as indented JSON in a ``<pre>`` (escaped)."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return format_html('<pre class="dsn-json">{}</pre>', text)
