"""System checks of the stored configuration rows: triggers, subscriptions and backends.

They read the database, so they are registered under ``Tags.database`` and run only when a
database is named (``manage.py check --database default``, and ``migrate``). Every message is a
Warning: a row a staff user saved never stops a deploy. What is wrong is said by
:mod:`django_signal_notifier.config.problems`, in the same words as the admin and
``signal_notifier list --problems``.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, router

from django_signal_notifier.checks.schema import schema_problems
from django_signal_notifier.config.problems import Problem, backend_problems, subscription_problems, trigger_problems
from django_signal_notifier.models import Backend, Subscription, Trigger, tables_exist


def _warning(row: Any, kind: str, problem: Problem) -> CheckMessage:
    return Warning(f"{kind} {row.pk} ({row}): {problem.text}", hint=problem.hint or None, obj=row, id=problem.check_id)


def _unreadable(alias: str, error: DatabaseError) -> CheckMessage:
    return Warning(
        f"The stored triggers, subscriptions and backends could not be read from the database {alias!r}: {error}",
        hint="No notification is sent until they can be read. Run `python manage.py migrate` if it is behind.",
        id="signal_notifier.W053",
    )


@register(Tags.database)
def check_stored_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Stored triggers, subscriptions and backends that cannot work as saved, as Warnings."""

    alias, databases = router.db_for_read(Trigger), kwargs.get("databases")
    if not databases or alias not in databases or not tables_exist():
        return []
    messages: list[CheckMessage] = []
    try:
        triggers = list(
            Trigger.objects.using(alias)
            .select_related("action_object_content_type", "actor_object_content_type")
            .prefetch_related("subscriptions")
            .order_by("pk")
        )
        subscriptions = list(
            Subscription.objects.using(alias)
            .select_related("trigger__action_object_content_type")
            .prefetch_related("backends", "receiver_users", "receiver_groups")
            .order_by("pk")
        )
        backends = list(Backend.objects.using(alias).order_by("pk"))
    except DatabaseError as error:
        # Tables of another shape (0.2.1's, or not migrated yet) are said by the schema check.
        return [] if schema_problems(alias) else [_unreadable(alias, error)]
    for trigger in triggers:
        messages.extend(_warning(trigger, "Trigger", problem) for problem in trigger_problems(trigger))
    for subscription in subscriptions:
        own = subscription_problems(subscription, with_backends=False)  # a backend's, once, under the backend
        messages.extend(_warning(subscription, "Subscription", problem) for problem in own)
    for backend in backends:
        messages.extend(_warning(backend, "Backend", problem) for problem in backend_problems(backend))
    return messages
