"""What is wrong with a trigger, subscription or backend: the one place that says it.

Each diagnosis is a :class:`Problem`: the check id it is reported under by
``manage.py check --database default``, the field it concerns, and one text. The models'
``clean()`` (and so the admin's forms and ``declare``), the system checks,
``signal_notifier list --problems``, the admin's problems columns and the trigger index all ask
here, so they cannot disagree. Problems that make a row unusable block saving it (``clean()``);
the others (a subscription with no receivers, a trigger that sends nothing) are only shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from django_signal_notifier.config.conditions import validate_conditions
from django_signal_notifier.config.dynamic_receivers import validate_receiver_callable, validate_receiver_paths
from django_signal_notifier.config.sensitive import is_refused_sender
from django_signal_notifier.config.steps import step_for, steps_errors
from django_signal_notifier.events.verbs import get_signal
from django_signal_notifier.messengers.registry import messenger_registry, template_name
from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.validators import cleans, group_key_template_errors

OWN_APP = "django_signal_notifier"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stored row."""

    check_id: str  # e.g. "signal_notifier.W012": docs/checks.md lists them
    field: str  # the model field it concerns ("" for the row as a whole)
    text: str  # the diagnosis, in the same words everywhere
    hint: str = ""
    blocks_save: bool = True  # False: shown (checks, admin, CLI) but the row may be saved

    def __str__(self) -> str:
        return self.text


def _id(number: str) -> str:
    return f"signal_notifier.{number}"


def _model_label(content_type: Any) -> str:
    return f"{content_type.app_label}.{content_type.model}"


# -- the cheap ones, also asked by the trigger index when it builds ------------------------------
def signal_problem(verb: str) -> Problem | None:
    """W010 when no signal is registered as ``verb``."""
    if get_signal(verb) is not None:
        return None
    return Problem(
        _id("W010"),
        "verb",
        _("signal %(verb)r is not registered") % {"verb": verb},
        hint=_(
            "Register it with django_signal_notifier.register_signal(name, signal) in an "
            "AppConfig.ready(), or change or disable the trigger."
        ),
    )


MODEL_FIELDS = ("action_object_content_type", "actor_object_content_type")


def model_problem(trigger: Any, field: str) -> Problem | None:
    """W011 when the content type in ``field`` (action or actor) names a model that no longer exists."""
    content_type = getattr(trigger, field)
    if content_type is None or content_type.model_class() is not None:
        return None
    what = _("model") if field == "action_object_content_type" else _("actor model")
    return Problem(
        _id("W011"),
        field,
        _("%(what)s %(model)s no longer exists") % {"what": what, "model": _model_label(content_type)},
        hint=_("Delete or edit the trigger in the admin."),
    )


def options_problem(backend: Any) -> Problem | None:
    """W015 when the stored options are not a JSON object (the backend is left out)."""
    if backend.options is None or isinstance(backend.options, dict):
        return None
    return Problem(
        _id("W015"),
        "options",
        _("options are not a JSON object: the backend is left out"),
        hint=_('Edit the options in the admin: a JSON object such as {"url": "https://…"}.'),
    )


# -- backends -----------------------------------------------------------------------------------
def backend_problems(backend: Any) -> list[Problem]:
    """The problems of one backend (empty when it is fine)."""

    problems: list[Problem] = []
    messenger = messenger_registry.get(backend.messenger)
    if messenger is None:
        problems.append(
            Problem(
                _id("W012"),
                "messenger",
                _("unknown messenger %(name)r") % {"name": backend.messenger},
                hint=_("Register it with register_messenger() or SIGNAL_NOTIFIER['MESSENGERS'], or edit the backend."),
            )
        )
    options = backend.options
    not_an_object = options_problem(backend)
    if not_an_object is not None:
        problems.append(not_an_object)
    name = template_name(backend.message_template, backend.messenger)
    if name and template_registry.get(name) is None:
        problems.append(
            Problem(
                _id("W013"),
                "message_template",
                _("unknown message template %(name)r") % {"name": name},
                hint=_("Register it with register_message_template() or SIGNAL_NOTIFIER['MESSAGE_TEMPLATES']."),
            )
        )
    elif messenger is not None and not name:
        problems.append(
            Problem(
                _id("W014"),
                "message_template",
                _("no message template: %(name)s has no default, choose one") % {"name": backend.messenger},
            )
        )
    if messenger is not None and isinstance(options or {}, dict):
        try:
            messenger.validate_options(options or {})
        except ValidationError as error:
            problems.append(
                Problem(
                    _id("W016"),
                    "options",
                    _("options: %(problem)s") % {"problem": " ".join(error.messages)},
                    hint=_("Edit the backend's options in the admin."),
                )
            )
    return problems


# -- subscriptions ------------------------------------------------------------------------------
def subscription_problems(subscription: Any, *, related: bool = True, with_backends: bool = True) -> list[Problem]:
    """The problems of one subscription; with ``related``, also its receivers and backends (saved rows only).

    ``with_backends=False`` leaves out its backends' own problems (the checks report them once, under the backend).
    """

    problems: list[Problem] = []
    model = None
    try:
        trigger = subscription.trigger  # may be unsaved when edited inline with a new trigger
    except ObjectDoesNotExist:
        trigger = None
    if trigger is not None and trigger.action_object_content_type is not None:
        model = trigger.action_object_content_type.model_class()
    for text in validate_receiver_paths(subscription.receiver_field_paths, model):
        problems.append(Problem(_id("W021"), "receiver_field_paths", text))
    callable_error = validate_receiver_callable(subscription.receiver_callable)
    if callable_error:
        problems.append(Problem(_id("W021"), "receiver_callable", callable_error))
    malformed = steps_errors(subscription.steps, model=model)
    problems.extend(Problem(_id("W032"), "steps", text) for text in malformed)
    problems.extend(Problem(_id("W033"), "group_key_template", text) for text in _group_key_problems(subscription))
    if not related or subscription.pk is None:
        return problems
    backends = list(subscription.backends.all())
    if not malformed:
        unmatched = steps_errors(subscription.steps, backends)
        problems.extend(Problem(_id("W032"), "steps", text, blocks_save=False) for text in unmatched)
        problems.extend(
            Problem(_id("W032"), "steps", text, blocks_save=False) for text in _step_misuses(subscription, backends)
        )
    if not backends:
        problems.append(Problem(_id("W031"), "backends", _("no backend"), blocks_save=False))
    for backend in backends if with_backends else ():
        for problem in backend_problems(backend):
            problems.append(
                Problem(
                    problem.check_id,
                    "backends",
                    _("backend %(pk)s: %(problem)s") % {"pk": backend.pk, "problem": problem.text},
                    blocks_save=False,
                )
            )
    if not (
        subscription.receiver_users.all()
        or subscription.receiver_groups.all()
        or subscription.receiver_field_paths
        or subscription.receiver_callable
    ):
        problems.append(
            Problem(
                _id("W030"),
                "",
                _("no receivers"),
                hint=_("Choose users or groups, or give receiver field paths or a receiver callable."),
                blocks_save=False,
            )
        )
    return problems


# -- triggers -----------------------------------------------------------------------------------
def _step_misuses(subscription: Any, backends: list[Any]) -> list[str]:
    """Steps that are well formed but cannot do what they say with these backends."""
    inline = {b.pk for b in backends if getattr(messenger_registry.get(b.messenger), "inline", False)}
    found = []
    for position, backend in enumerate(backends):
        step = step_for(subscription.steps, backend)
        if backend.pk in inline and (
            step.delay_seconds or step.send_at or step.only_if or step.only_if_unread or step.fallback
        ):
            found.append(
                _("step of backend %(pk)s: the in-site inbox is written at once, its step is ignored")
                % {"pk": backend.pk}
            )
        if step.only_if_unread and not inline:
            found.append(
                _(
                    "step of backend %(pk)s: only_if_unread needs an in-site backend in the subscription (nothing to read)"
                )
                % {"pk": backend.pk}
            )
        if step.fallback and position == 0:
            found.append(
                _("step of backend %(pk)s: the first step has no step before it to fall back from") % {"pk": backend.pk}
            )
    return found


def trigger_problems(trigger: Any, *, related: bool = True) -> list[Problem]:
    """The problems of one trigger; with ``related``, also whether it can send at all (saved rows only)."""

    problems: list[Problem] = [p for p in [signal_problem(trigger.verb)] if p is not None]
    for ct_field, id_field in (
        ("action_object_content_type", "action_object_id"),
        ("actor_object_content_type", "actor_object_id"),
    ):
        content_type = getattr(trigger, ct_field)
        object_id = getattr(trigger, id_field)
        removed = model_problem(trigger, ct_field)
        if removed is not None:
            problems.append(removed)
            continue
        if object_id in ("", None):
            continue
        if content_type is None:
            problems.append(Problem(_id("W017"), id_field, _("An object id needs its model.")))
            continue
        model = content_type.model_class()
        try:
            exists = model._default_manager.filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            exists = False
        if not exists:
            problems.append(
                Problem(
                    _id("W017"),
                    id_field,
                    _("No %(model)s with primary key %(pk)s exists.")
                    % {"model": model._meta.verbose_name, "pk": object_id},
                )
            )
    content_type = trigger.action_object_content_type
    if not any(p.field == "action_object_content_type" for p in problems):
        model = content_type.model_class() if content_type else None
        for text in validate_conditions(trigger.conditions, model, trigger.verb):
            problems.append(Problem(_id("W020"), "conditions", text, hint=_("The trigger never matches until fixed.")))
    own_model = content_type.model_class() if content_type is not None and content_type.app_label == OWN_APP else None
    if own_model is not None:  # a removed model of this app (0.2.1's TestModel1) is W011's
        problems.append(own_models_problem(own_model))
    else:
        sender = content_type.model_class() if content_type is not None else None
        if sender is not None and is_refused_sender(sender):
            problems.append(sensitive_model_problem(sender))
    if (
        related
        and trigger.pk is not None
        and not trigger.cancels_pending  # a trigger that only cancels sends nothing by design
        and not any(s.enabled for s in trigger.subscriptions.all())
    ):
        problems.append(Problem(_id("W019"), "", _("no enabled subscription: it sends nothing"), blocks_save=False))
    return problems


def trigger_diagnosis(trigger: Any) -> list[str]:
    """Every problem of a trigger and of its subscriptions (with their backends), one line each.

    The admin's problems column shows these lines; ``signal_notifier list --problems`` prints the
    same texts under the trigger and under each subscription.
    """
    lines = [problem.text for problem in trigger_problems(trigger)]
    for subscription in trigger.subscriptions.all():
        lines.extend(
            _("subscription %(pk)s: %(problem)s") % {"pk": subscription.pk, "problem": problem.text}
            for problem in subscription_problems(subscription)
        )
    return lines


# -- the models' clean() ------------------------------------------------------------------------
def own_models_problem(model: Any) -> Problem:
    """W018: the package's own rows send no events (the index drops triggers on them)."""
    return Problem(
        _id("W018"),
        "action_object_content_type",
        _("triggers on the package's own models (%(model)s) are ignored") % {"model": model._meta.label_lower},
        blocks_save=False,
    )


def sensitive_model_problem(model: Any) -> Problem:
    """W029: a trigger on a sensitive model (sessions, tokens, admin log, permissions) never fires without opt-in."""
    label = model._meta.label
    return Problem(
        _id("W029"),
        "action_object_content_type",
        _("%(model)s holds credentials or security records: triggers on it are ignored") % {"model": label},
        hint=_(
            'Its fields would reach Event snapshots and templates. To use it anyway, add "%(model)s" to '
            "SIGNAL_NOTIFIER['ALLOWED_SENSITIVE_MODELS']."
        )
        % {"model": label},
        blocks_save=False,
    )


def _by_field(problems: list[Problem]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.blocks_save:
            errors.setdefault(problem.field or "__all__", []).append(problem.text)
    return errors


@cleans("backend")
def backend_errors(backend: Backend) -> dict[str, Any]:
    """The problems of one backend that block saving it, by field (empty when it is fine)."""
    return _by_field(backend_problems(backend))


@cleans("subscription")
def subscription_errors(subscription: Subscription) -> dict[str, Any]:
    """The problems of one subscription that block saving it, by field (empty when it is fine)."""
    return _by_field(subscription_problems(subscription, related=False))


@cleans("trigger")
def trigger_errors(trigger: Trigger) -> dict[str, Any]:
    """The problems of one trigger that block saving it, by field (empty when it is fine)."""
    for id_field in ("action_object_id", "actor_object_id"):
        if getattr(trigger, id_field) == "":
            setattr(trigger, id_field, None)
    return _by_field(trigger_problems(trigger, related=False))


def _group_key_problems(subscription: Any) -> list[str]:
    """W033: a custom grouping without a usable key template."""
    template = getattr(subscription, "group_key_template", "")
    if getattr(subscription, "group_by", "") == "custom" and not template:
        return [str(_("custom grouping needs a group key template, e.g. {verb}:{target}"))]
    return group_key_template_errors(template)
