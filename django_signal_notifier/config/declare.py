"""Configuration in code: idempotent declarations of triggers, backends and subscriptions.

Declarations are keyed: running them again updates the same rows, so they are safe in a
``post_migrate`` hook, a data migration or ``manage.py signal_notifier sync``. Declared rows are
ordinary rows: the admin shows them. A row written by ``sync()`` records the fields its
declaration sets (``declared_fields``): the admin says the row is declared in code and shows
those fields read-only, since the next ``sync`` (after every ``migrate``) would overwrite them.
A row no longer declared loses that mark at the next ``sync``.

    from django_signal_notifier import declare

    @declare.on_sync
    def notifications(d: declare.Declarer) -> None:
        comment = d.trigger("comment-created", verb="post_save", model="blog.Comment")
        inbox = d.backend("inbox", messenger="InSiteMessenger")
        d.subscription("comments-to-staff", trigger=comment, backends=[inbox], groups=["staff"])
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from django_signal_notifier.config.problems import Problem, backend_problems, subscription_problems, trigger_problems
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.registry import CONDITION, RECEIVER, default_callable_name, register_callable

logger = logging.getLogger("django_signal_notifier.declare")
_hooks: list[Callable[[Declarer], None]] = []
# The rows written by the sync() under way: {model: {pk}}; None outside a sync.
_synced: ContextVar[dict[Any, set[Any]] | None] = ContextVar("signal_notifier_synced", default=None)
OWNED_BY_KEY = ("key",)  # every declared row's key is its declaration's


def _owned(defaults: dict[str, Any], *related: str) -> dict[str, Any]:
    """``defaults`` plus ``declared_fields`` when a sync() is writing them (the admin then locks those fields)."""
    if _synced.get() is None:
        return defaults
    return {**defaults, "declared_fields": sorted({*defaults, *related, *OWNED_BY_KEY})}


def _synced_row(row: Any) -> Any:
    synced = _synced.get()
    if synced is not None:
        synced.setdefault(type(row), set()).add(row.pk)
    return row


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


def _named_callables(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with any function given as a condition or receiver callable registered and stored by name.

    Declarations may pass the function itself; it is registered under ``module.qualname`` (see
    :func:`django_signal_notifier.register_callable`) and the row stores that name.
    """
    named = dict(fields)
    function = named.get("receiver_callable")
    if callable(function):
        register_callable(None, function, kind=RECEIVER)
        named["receiver_callable"] = default_callable_name(function)
    conditions = named.get("conditions")
    if isinstance(conditions, list):
        named["conditions"] = [_named_condition(condition) for condition in conditions]
    return named


def _named_condition(condition: Any) -> Any:
    if isinstance(condition, dict) and condition.get("op") == "callable" and callable(condition.get("value")):
        register_callable(None, condition["value"], kind=CONDITION)
        return {**condition, "value": default_callable_name(condition["value"])}
    return condition


def _by_key(model: Any, key: str, missing: str) -> Any:
    try:
        return model.objects.get(key=key)
    except model.DoesNotExist:
        raise ConfigurationError(f"{missing} Declare it first (declarations run in order).") from None


class Declarer:
    """Creates or updates configuration rows by key; ``warnings`` says what was left out and why."""

    def __init__(self, log_warnings: bool = False) -> None:
        self.warnings: list[str] = []
        self.log_warnings = log_warnings  # at once (the module-level shortcuts), not by sync()

    def _warn(self, warning: str) -> None:
        self.warnings.append(warning)
        if self.log_warnings:
            logger.warning("django-signal-notifier: %s", warning)

    def _users(self, what: str, users: Iterable[Any]) -> list[Any]:
        """The users named (by username) or given; a missing one is a warning, never a crash."""
        manager = get_user_model()._default_manager
        found = []
        for user in users:
            if not isinstance(user, str):
                found.append(user)
                continue
            try:
                found.append(manager.get_by_natural_key(user))
            except ObjectDoesNotExist:
                self._warn(
                    f"{what}: the user {user!r} does not exist (yet), so it was left out. Create the user, "
                    "then run `manage.py signal_notifier sync` to add it."
                )
        return found

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
            **_named_callables(extra),
        }
        _refuse(f"Trigger {key!r}", trigger_problems(Trigger(**defaults), related=False))
        trigger, _ = Trigger.objects.update_or_create(key=key, defaults=_owned(defaults))
        return _synced_row(trigger)

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
            defaults=_owned(
                {"messenger": messenger, "message_template": message_template, "options": options or {}, "name": name}
            ),
        )
        return _synced_row(backend)

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

        what = f"Subscription {key!r}"
        extra = _named_callables(extra)
        if isinstance(trigger, str):
            trigger = _by_key(Trigger, trigger, f"{what}: no trigger is declared with the key {trigger!r}.")
        checked = {
            k: extra[k]
            for k in ("receiver_field_paths", "receiver_callable", "steps", "group_by", "group_key_template")
            if k in extra
        }
        _refuse(what, subscription_problems(Subscription(trigger=trigger, **checked), related=False))
        backend_rows = [
            _by_key(Backend, b, f"{what}: no backend is declared with the key {b!r}.") if isinstance(b, str) else b
            for b in backends
        ]
        user_rows = self._users(what, users)
        group_rows = [Group.objects.get_or_create(name=g)[0] if isinstance(g, str) else g for g in groups]
        subscription, _ = Subscription.objects.update_or_create(
            key=key,
            defaults=_owned(
                {"trigger": trigger, "name": name, "enabled": enabled, **extra},
                "backends",
                "receiver_users",
                "receiver_groups",
            ),
        )
        subscription.backends.set(backend_rows)
        subscription.receiver_users.set(user_rows)
        subscription.receiver_groups.set(group_rows)
        return _synced_row(subscription)


def on_sync(function: Callable[[Declarer], None]) -> Callable[[Declarer], None]:
    """Register a function of declarations, run after ``migrate`` and by ``signal_notifier sync``."""
    _hooks.append(function)
    return function


def sync(declarer: Declarer | None = None) -> int:
    """Run every registered declaration function, in one transaction. Returns how many ran.

    What was left out (a user that does not exist yet) is logged and kept in ``declarer.warnings``;
    a declaration that cannot work raises ConfigurationError and applies nothing.
    """
    declarer = declarer or Declarer()
    synced: dict[Any, set[Any]] = {}
    token = _synced.set(synced)
    try:
        with transaction.atomic():
            for hook in _hooks:
                hook(declarer)
            _unmark_undeclared(synced)
    finally:
        _synced.reset(token)
    for warning in declarer.warnings:
        logger.warning("django-signal-notifier: %s", warning)
    return len(_hooks)


def _unmark_undeclared(synced: dict[Any, set[Any]]) -> None:
    """Rows marked by an earlier sync that no declaration wrote this time become ordinary rows again."""
    for model in (Trigger, Backend, Subscription):
        marked = model.objects.filter(key__isnull=False).exclude(pk__in=synced.get(model, set()))
        stale = [pk for pk, fields in marked.values_list("pk", "declared_fields") if fields]
        if stale:
            model.objects.filter(pk__in=stale).update(declared_fields=[])


def run_after_migrate(sender: Any, verbosity: int = 1, stdout: Any = None, **kwargs: Any) -> None:
    """post_migrate receiver: apply the declarations once our tables exist, never failing ``migrate``."""
    if not _hooks:
        return
    declarer = Declarer()
    out = stdout or sys.stderr
    try:
        sync(declarer)
    except Exception as error:
        logger.exception("django-signal-notifier: the configuration declared in code was not applied")
        out.write(
            f"django-signal-notifier: the configuration declared in code was not applied: {error}\n"
            "Fix the declaration, then run `manage.py signal_notifier sync`.\n"
        )
        return
    if verbosity:
        for warning in declarer.warnings:
            out.write(f"django-signal-notifier: {warning}\n")


trigger = Declarer(log_warnings=True).trigger
backend = Declarer(log_warnings=True).backend
subscription = Declarer(log_warnings=True).subscription
