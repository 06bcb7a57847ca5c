"""Configuration in code: idempotent declarations of triggers, backends and subscriptions.

Declarations are keyed: running them again updates the same rows, so they are safe in a
``post_migrate`` hook, a data migration or ``manage.py signal_notifier sync``. Declared rows are
ordinary rows: the admin shows them.

    from django_signal_notifier import declare

    @declare.on_sync
    def notifications(d: declare.Declarer) -> None:
        comment = d.trigger("comment-created", verb="post_save", model="blog.Comment")
        inbox = d.backend("inbox", messenger="InSiteMessenger")
        d.subscription("comments-to-staff", trigger=comment, backends=[inbox], groups=["staff"])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from django_signal_notifier.config.problems import Problem, backend_problems, subscription_problems, trigger_problems
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.models import Backend, Subscription, Trigger

_hooks: list[Callable[[Declarer], None]] = []


def _refuse(what: str, problems: list[Problem]) -> None:
    """Raise ConfigurationError naming every problem that would stop the row from working."""
    blocking = [problem.text for problem in problems if problem.blocks_save]
    if blocking:
        raise ConfigurationError(f"{what}: {' '.join(blocking)}")


def _content_type(model: Any) -> ContentType | None:
    if model is None:
        return None
    if isinstance(model, ContentType):
        return model
    if isinstance(model, str):
        try:
            model = apps.get_model(model)
        except (LookupError, ValueError) as error:
            raise ConfigurationError(f"Unknown model {model!r}: use 'app_label.ModelName'.") from error
    return ContentType.objects.get_for_model(model)


class Declarer:
    """Creates or updates configuration rows by key."""

    def trigger(
        self,
        key: str,
        *,
        verb: str,
        model: Any = None,
        object_id: Any = None,
        actor_model: Any = None,
        actor_id: Any = None,
        target: str | None = None,
        name: str = "",
        enabled: bool = True,
        **extra: Any,
    ) -> Any:

        defaults = {
            "verb": verb,
            "action_object_content_type": _content_type(model),
            "action_object_id": None if object_id is None else str(object_id),
            "actor_object_content_type": _content_type(actor_model),
            "actor_object_id": None if actor_id is None else str(actor_id),
            "target": target,
            "name": name,
            "enabled": enabled,
            **extra,
        }
        _refuse(f"Trigger {key!r}", trigger_problems(Trigger(**defaults), related=False))
        trigger, _ = Trigger.objects.update_or_create(key=key, defaults=defaults)
        return trigger

    def backend(
        self,
        key: str,
        *,
        messenger: str,
        message_template: str = "",
        options: dict[str, Any] | None = None,
        name: str = "",
    ) -> Any:

        backend = Backend(
            key=key, messenger=messenger, message_template=message_template, options=options or {}, name=name
        )
        _refuse(f"Backend {key!r}", backend_problems(backend))  # fail loudly now, not at send time
        backend, _ = Backend.objects.update_or_create(
            key=key,
            defaults={
                "messenger": messenger,
                "message_template": message_template,
                "options": options or {},
                "name": name,
            },
        )
        return backend

    def subscription(
        self,
        key: str,
        *,
        trigger: Any,
        backends: Iterable[Any],
        users: Iterable[Any] = (),
        groups: Iterable[Any] = (),
        name: str = "",
        enabled: bool = True,
        **extra: Any,
    ) -> Any:

        if isinstance(trigger, str):
            trigger = Trigger.objects.get(key=trigger)
        receivers = {k: extra[k] for k in ("receiver_field_paths", "receiver_callable") if k in extra}
        _refuse(
            f"Subscription {key!r}", subscription_problems(Subscription(trigger=trigger, **receivers), related=False)
        )
        backend_rows = [Backend.objects.get(key=b) if isinstance(b, str) else b for b in backends]
        user_model = get_user_model()
        user_rows = [user_model._default_manager.get_by_natural_key(u) if isinstance(u, str) else u for u in users]
        group_rows = [Group.objects.get_or_create(name=g)[0] if isinstance(g, str) else g for g in groups]
        subscription, _ = Subscription.objects.update_or_create(
            key=key, defaults={"trigger": trigger, "name": name, "enabled": enabled, **extra}
        )
        subscription.backends.set(backend_rows)
        subscription.receiver_users.set(user_rows)
        subscription.receiver_groups.set(group_rows)
        return subscription


def on_sync(function: Callable[[Declarer], None]) -> Callable[[Declarer], None]:
    """Register a function of declarations, run after ``migrate`` and by ``signal_notifier sync``."""
    _hooks.append(function)
    return function


def sync() -> int:
    """Run every registered declaration function, in one transaction. Returns how many ran."""
    declarer = Declarer()
    with transaction.atomic():
        for hook in _hooks:
            hook(declarer)
    return len(_hooks)


def run_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver: apply the declarations once our tables exist."""
    if _hooks:
        sync()


trigger = Declarer().trigger
backend = Declarer().backend
subscription = Declarer().subscription
