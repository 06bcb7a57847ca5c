"""System checks of stored templates: rows that cannot render as saved, and the render bounds.

A row saved before the sandbox refused something (raw HTML through ``|safe``, ``|safeseq`` or
``{% autoescape off %}``), or written behind the admin's back, is reported in the admin's words.
Every message about a row is a Warning: a row a staff user saved never stops a deploy. The
rows are read only when a database is named (``Tags.database``).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, router

from django_signal_notifier.conf import DEFAULTS, app_settings
from django_signal_notifier.models import StoredTemplate, tables_exist
from django_signal_notifier.rendering.sandbox import syntax_errors

_WHOLE_BOUNDS = ("TEMPLATE_MAX_OUTPUT", "TEMPLATE_MAX_STEPS")


@register(Tags.models)
def check_template_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The render bounds are positive numbers; USER_PUBLIC_FIELDS is a list of names."""
    messages: list[CheckMessage] = []
    raw = app_settings.raw()
    for key in (*_WHOLE_BOUNDS, "TEMPLATE_MAX_SECONDS"):
        value = raw.get(key, DEFAULTS[key])
        number = isinstance(value, int) or isinstance(value, float) and key not in _WHOLE_BOUNDS
        if isinstance(value, bool) or not number or value <= 0:
            messages.append(
                Error(f"SIGNAL_NOTIFIER[{key!r}] must be a positive number, not {value!r}.", id="signal_notifier.E070")
            )
    public = raw.get("USER_PUBLIC_FIELDS", DEFAULTS["USER_PUBLIC_FIELDS"])
    if isinstance(public, str) or not all(isinstance(name, str) for name in public or ()):
        messages.append(
            Error(
                f"SIGNAL_NOTIFIER['USER_PUBLIC_FIELDS'] must be a list of field or method names, not {public!r}.",
                id="signal_notifier.E071",
            )
        )
    return messages


@register(Tags.database)
def check_stored_templates(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Stored templates the sandbox refuses (raw HTML, refused tags, syntax errors), as Warnings."""
    alias, databases = router.db_for_read(StoredTemplate), kwargs.get("databases")
    if not databases or alias not in databases or not tables_exist():
        return []
    try:
        records = list(StoredTemplate.objects.using(alias).order_by("pk"))
    except DatabaseError:
        return []  # said by the stored-configuration and schema checks
    messages: list[CheckMessage] = []
    for record in records:
        for part, errors in syntax_errors(record.sources()).items():
            messages.extend(
                Warning(
                    f"Stored template {record.pk} ({record.name}), {part}: {error}",
                    hint="Its deliveries end dead with this reason until the template is corrected in the admin.",
                    obj=record,
                    id="signal_notifier.W070",
                )
                for error in errors
            )
    return messages
