"""Choices of the admin's forms: the project's models, the registered signals, messengers and templates.

Filled at form time from the registries and the app registry, so a new model, signal or
messenger shows up without a migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from django_signal_notifier.config.problems import OWN_APP
from django_signal_notifier.events.verbs import verb_choices
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.registry import RECEIVER, callable_names
from django_signal_notifier.rendering.registry import template_registry

BLANK = ("", "---------")


def project_models() -> list[Any]:
    """The models a trigger can watch: the project's and its apps', not Django's plumbing or this package's own.

    Left out: the models of ``django.contrib`` apps (sessions, log entries, permissions, content
    types, sites) except the user model and groups, and this package's tables (their rows send
    no events). The quickstart app's demo models stay.
    """
    user_model = get_user_model()
    chosen: list[Any] = []
    for model in apps.get_models():
        app_config = apps.get_app_config(model._meta.app_label)
        if model in (user_model, Group):
            chosen.append(model)
        elif app_config.name.startswith("django.contrib.") or model._meta.app_label == OWN_APP:
            continue
        else:
            chosen.append(model)
    return chosen


def model_choices(keep: Iterable[Any] = ()) -> QuerySet[ContentType]:
    """Content types of :func:`project_models`, plus ``keep`` (the ids already chosen, so a stale value stays visible)."""
    by_model = ContentType.objects.get_for_models(*project_models(), for_concrete_models=False)
    ids = {content_type.pk for content_type in by_model.values()}
    ids.update(pk for pk in keep if pk)
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


def _with_current(choices: list[tuple[str, str]], current: str) -> list[tuple[str, str]]:
    """``choices`` with ``current`` added when it is not registered (so it can be seen and fixed)."""
    if current and current not in dict(choices):
        choices.append((current, _("%(name)s (not registered)") % {"name": current}))
    return choices


def signal_choices(current: str = "") -> list[tuple[str, str]]:
    """An empty first choice, then every registered signal."""
    return [BLANK, *_with_current(verb_choices(), current)]


def receiver_callable_choices(current: str = "") -> list[tuple[str, str]]:
    """An empty first choice (no callable), then every registered receiver callable."""
    return [BLANK, *_with_current([(name, name) for name in callable_names(RECEIVER)], current)]


def messenger_choices(current: str = "") -> list[tuple[str, str]]:
    """An empty first choice, then every registered messenger by its label."""
    return [BLANK, *_with_current(messenger_registry.choices(), current)]


def template_choices(current: str = "", blank: str = "") -> list[tuple[str, str]]:
    """``blank`` as the empty choice, then the templates a backend may use (not the ones kept for old rows)."""
    offered = [
        (name, label)
        for name, label in template_registry.choices()
        if name == current or getattr(template_registry.get(name), "offered", True)
    ]
    return [("", blank or BLANK[1]), *_with_current(offered, current)]
