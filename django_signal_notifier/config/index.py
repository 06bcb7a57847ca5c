"""The trigger index: ``{verb: {sender: triggers}}``, built lazily and rebuilt on change.

Only models with a trigger reach the package at all (see :mod:`django_signal_notifier.intake.receivers`).
A change made in this process takes effect at once; a change made in another process is seen
through the :class:`ConfigStamp` version, read at most once per ``CONFIG_CHECK_INTERVAL``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, router, transaction

from django_signal_notifier.conf import app_settings
from django_signal_notifier.config.conditions import compile_conditions
from django_signal_notifier.config.dynamic_receivers import path_list
from django_signal_notifier.config.matching import canonical_pk
from django_signal_notifier.config.problems import (
    MODEL_FIELDS,
    model_problem,
    options_problem,
    own_models_problem,
    sensitive_model_problem,
    signal_problem,
)
from django_signal_notifier.config.sensitive import refused_senders
from django_signal_notifier.config.specs import BackendSpec, SubscriptionSpec, TriggerSpec
from django_signal_notifier.config.steps import step_for
from django_signal_notifier.events.previous import track_previous_values
from django_signal_notifier.models import ConfigStamp, Trigger
from django_signal_notifier.registry import on_callable_registered
from django_signal_notifier.rendering.stored import follow_configuration_version
from django_signal_notifier.signals import configuration_changed

logger = logging.getLogger("django_signal_notifier.index")

_EMPTY: tuple[TriggerSpec, ...] = ()
T = TypeVar("T")


class VerbTable:
    """The triggers of one verb, by sender model, with the any-sender triggers merged in."""

    __slots__ = ("by_sender", "any_sender")

    def __init__(self, by_sender: dict[Any, tuple[TriggerSpec, ...]], any_sender: tuple[TriggerSpec, ...]) -> None:
        self.by_sender = by_sender
        self.any_sender = any_sender


class TriggerIndex:
    """The process-wide, lazily built lookup from a signal send to its candidate triggers."""

    def __init__(self) -> None:
        self._tables: dict[str, VerbTable] = {}
        self._version: int | None = None
        self._next_check = 0.0  # monotonic time of the next stamp read; 0 forces one
        self._dirty = True
        self._generation = 0  # bumped by invalidate(): a rebuild that raced one is not trusted
        self._lock = threading.RLock()
        self._building = False
        self.problems: list[str] = []  # stored triggers that could not be indexed, for checks/admin
        # Called with the tables after every refresh (the receivers bind to their models) ...
        self.listeners: list[Callable[[dict[str, VerbTable]], None]] = []
        # ... and on invalidation (the receivers arm their sentinels so the next send refreshes).
        self.invalidation_listeners: list[Callable[[], None]] = []
        # True while `migrate` runs: the schema may be half-way between two migrations, and
        # migrations use historical models that no trigger can name anyway.
        self.suspended = False

    # -- the hot path -------------------------------------------------------------------------
    def lookup(self, verb: str, sender: Any) -> tuple[TriggerSpec, ...]:
        """Candidate triggers for a send of ``verb`` by ``sender``."""
        if time.monotonic() >= self._next_check:
            self.refresh()
        table = self._tables.get(verb)
        if table is None:
            return _EMPTY
        return table.by_sender.get(sender, table.any_sender)

    @property
    def version(self) -> int | None:
        """The configuration version of the current tables (re-read at most once per interval)."""
        if time.monotonic() >= self._next_check:
            self.refresh()
        return self._version

    def specs(self, trigger_ids: list[int]) -> list[TriggerSpec]:
        """The current specs of these triggers, in that order (those disabled or deleted since are left out)."""
        if time.monotonic() >= self._next_check:
            self.refresh()
        found: dict[int, TriggerSpec] = {}
        for table in self._tables.values():
            for specs in (*table.by_sender.values(), table.any_sender):
                found.update((spec.id, spec) for spec in specs)
        return [found[pk] for pk in trigger_ids if pk in found]

    def verbs(self) -> set[str]:
        """The verbs that currently have at least one enabled trigger."""
        return set(self._tables)

    # -- invalidation -------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Rebuild at the next lookup (a change in this process)."""
        self._generation += 1
        self._dirty = True
        self._next_check = 0.0
        for listener in self.invalidation_listeners:
            listener()

    def after_fork(self) -> None:
        """In a child process: a fresh lock, and the stamp read at the first send."""
        self._lock = threading.RLock()
        self._building = False
        self._next_check = 0.0

    @staticmethod
    def interval() -> float:
        """Seconds between two reads of the configuration version (``CONFIG_CHECK_INTERVAL``)."""
        return float(app_settings.CONFIG_CHECK_INTERVAL)

    def refresh(self) -> None:
        """Read the version stamp; rebuild when it moved or a local change is pending."""
        with self._lock:
            if self._building or time.monotonic() < self._next_check:
                return
            self._building = True
            generation = self._generation
            try:
                version = None if self.suspended else self._read_version()
                if version is None:
                    # Tables not there yet (before migrate): nothing can be configured.
                    self._tables, self._version = {}, None
                elif self._dirty or version != self._version:
                    self._tables = self._protected(self._build)
                    self._version = version
                    self._dirty = False
            except Exception:
                logger.exception("django-signal-notifier could not load its triggers; retrying later")
            finally:
                self._building = False
                if generation == self._generation:
                    self._next_check = time.monotonic() + self.interval()
                else:  # invalidated while building: what was read may predate the change
                    self._dirty = True
                    self._next_check = 0.0
            for listener in self.listeners:
                try:
                    listener(self._tables)
                except Exception:
                    logger.exception("django-signal-notifier could not bind its receivers")

    # -- building -----------------------------------------------------------------------------
    def _read_version(self) -> int | None:

        try:
            return self._protected(lambda: ConfigStamp.current(router.db_for_read(ConfigStamp)))
        except DatabaseError:
            return None

    @staticmethod
    def _protected(read: Callable[[], T]) -> T:
        """Run ``read`` so that a database error cannot break the caller's transaction."""

        alias = router.db_for_read(Trigger)
        if connections[alias].in_atomic_block:
            with transaction.atomic(using=alias):  # a savepoint
                return read()
        return read()

    def _build(self) -> dict[str, VerbTable]:

        problems: list[str] = []
        by_verb: dict[str, dict[Any, list[TriggerSpec]]] = defaultdict(lambda: defaultdict(list))
        any_sender: dict[str, list[TriggerSpec]] = defaultdict(list)
        triggers = (
            Trigger.objects.filter(enabled=True)
            .select_related("action_object_content_type", "actor_object_content_type")
            .prefetch_related("subscriptions__backends")
        )
        for trigger in triggers:
            spec = self._spec(trigger, problems)
            if spec is None:
                continue
            if spec.model is None:
                any_sender[spec.verb].append(spec)
            else:
                by_verb[spec.verb][spec.model].append(spec)
        # The package's own rows (events, deliveries, notifications, configuration) are never
        # events: a trigger on them would feed on its own writes.
        own_models = list(apps.get_app_config("django_signal_notifier").get_models(include_auto_created=True))
        sensitive = [model for model in refused_senders() if model not in own_models]
        tables: dict[str, VerbTable] = {}
        for verb in set(by_verb) | set(any_sender):
            wildcard = tuple(any_sender.get(verb, ()))
            senders = {model: tuple(specs) + wildcard for model, specs in by_verb.get(verb, {}).items()}
            for model in own_models:
                if senders.pop(model, None):
                    problems.append(f"{model._meta.label}: {own_models_problem(model)}")
                senders[model] = _EMPTY
            # Sessions, tokens, the admin log…: no trigger, not even an any-sender one, without opt-in.
            for model in sensitive:
                if senders.pop(model, None):
                    problems.append(f"{model._meta.label}: {sensitive_model_problem(model)}")
                senders[model] = _EMPTY
            tables[verb] = VerbTable(senders, wildcard)
        self.problems = problems
        track_previous_values(tables)
        for problem in problems:
            logger.error("django-signal-notifier: %s", problem)
        return tables

    @staticmethod
    def _spec(trigger: Any, problems: list[str]) -> TriggerSpec | None:

        found = [signal_problem(trigger.verb), *(model_problem(trigger, field) for field in MODEL_FIELDS)]
        unusable = [problem for problem in found if problem is not None]
        if unusable:
            problems.extend(f"Trigger {trigger.pk} ({trigger}): {problem}" for problem in unusable)
            return None
        model = trigger.action_object_content_type.model_class() if trigger.action_object_content_type_id else None
        actor_model = trigger.actor_object_content_type.model_class() if trigger.actor_object_content_type_id else None
        subscriptions = tuple(
            SubscriptionSpec(
                id=sub.pk,
                name=str(sub),
                backends=_backend_specs(sub, [b for b in sub.backends.all() if _options_ok(b, problems)]),
                receiver_field_paths=path_list(sub.receiver_field_paths),
                receiver_callable=sub.receiver_callable or "",
                exclude_actor=sub.exclude_actor,
                mandatory=sub.mandatory,
                digest_seconds=sub.digest_seconds,
                digest_template=sub.digest_template,
                throttle_seconds=sub.throttle_seconds,
                inbox_expiry_seconds=sub.inbox_expiry_seconds,
                group_by=sub.group_by,
                group_key_template=sub.group_key_template,
            )
            for sub in trigger.subscriptions.all()
            if sub.enabled
        )
        if not subscriptions and not trigger.cancels_pending:
            return None
        conditions = compile_conditions(trigger, model, problems)
        if conditions is None:
            return None
        return TriggerSpec(
            id=trigger.pk,
            name=str(trigger),
            verb=trigger.verb,
            model=model,
            object_id=canonical_pk(model, trigger.action_object_id) if model else trigger.action_object_id or None,
            actor_model=actor_model,
            actor_id=canonical_pk(actor_model, trigger.actor_object_id) if actor_model else None,
            target=trigger.target or None,
            subscriptions=subscriptions,
            conditions=conditions,
            cancels_pending=trigger.cancels_pending,
        )


def _backend_specs(subscription: Any, backends: list[Any]) -> tuple[BackendSpec, ...]:
    """The subscription's backends in order, each with its step; a first step cannot be a fallback."""
    steps = [step_for(subscription.steps, backend) for backend in backends]
    return tuple(
        BackendSpec(
            backend.pk,
            str(backend),
            backend.messenger,
            backend.message_template,
            dict(backend.options or {}),
            delay_seconds=step.delay_seconds,
            only_if_unread=step.only_if_unread,
            fallback=step.fallback and i > 0,
            has_fallback=i + 1 < len(steps) and steps[i + 1].fallback,
            send_at=step.send_at,
            offset_seconds=step.offset_seconds,
            skip_if_past=step.skip_if_past,
            urgent=step.urgent,
            only_if=step.only_if,
            fresh=step.fresh,
        )
        for i, (backend, step) in enumerate(zip(backends, steps, strict=True))
    )


def _options_ok(backend: Any, problems: list[str]) -> bool:
    """A backend whose stored options are not a JSON object is left out, not the whole index."""
    problem = options_problem(backend)
    if problem is None:
        return True
    problems.append(f"Backend {backend.pk} ({backend}): {problem}")
    return False


trigger_index = TriggerIndex()


def suspend_during_migrate(**kwargs: Any) -> None:
    """pre_migrate receiver: stop reading the configuration until migrations are done."""
    trigger_index.suspended = True


def resume_after_migrate(**kwargs: Any) -> None:
    """post_migrate receiver: read the (now complete) configuration at the next send."""
    trigger_index.suspended = False
    trigger_index.invalidate()


def config_changed(using: str | None = None) -> None:
    """Announce a configuration change: to this process now, to the others via the stamp."""

    trigger_index.invalidate()
    alias = using or router.db_for_write(ConfigStamp)
    try:
        with transaction.atomic(using=alias):  # a savepoint when inside the caller's transaction
            ConfigStamp.bump(alias)
    except DatabaseError:
        logger.exception("django-signal-notifier could not record a configuration change")
    # Changes inside a transaction become visible to a rebuild only after it commits.
    transaction.on_commit(trigger_index.invalidate, using=alias)


def _on_configuration_written(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    config_changed(using)


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "SIGNAL_NOTIFIER":
        trigger_index.invalidate()


configuration_changed.connect(_on_configuration_written, dispatch_uid="django_signal_notifier.config.index")
setting_changed.connect(_on_setting_changed, dispatch_uid="django_signal_notifier.conf")
follow_configuration_version(lambda: trigger_index.version)
on_callable_registered(trigger_index.invalidate)
