"""Dynamic receivers: users reached from the event, as subqueries (never one query per hop or user).

A field path such as ``author``, ``article.followers`` or ``project.members`` is followed from
the sender object through foreign keys, reverse foreign keys, one-to-one and many-to-many
fields and must end at the user model. A forward foreign key as the first hop is read from the
instance (``author`` costs no query at all); the rest of the path becomes one ``pk__in``
subquery of the recipients query. A callable ``(EventView) -> users, user ids or a queryset``,
registered in code by name (:func:`django_signal_notifier.receiver`), is the escape hatch for
anything else.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from django_signal_notifier.registry import RECEIVER, registered_callable, unregistered_callable_problem

NOBODY = Q(pk__in=[])


def _is_user_model(model: Any) -> bool:
    user_model = get_user_model()
    return isinstance(model, type) and model._meta.concrete_model is user_model._meta.concrete_model  # type: ignore[attr-defined]


def path_list(value: Any) -> tuple[str, ...]:
    """The stored receiver paths as a tuple (a lone string, e.g. set by hand, is one path)."""
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(path) for path in value if path)
    return (str(value),)


def path_problem(model: Any, path: str) -> str | None:
    """Why ``path`` does not lead from ``model`` to users, or None when it does (no query)."""
    if not isinstance(path, str) or not path.strip():
        return _("An empty receiver path.")
    current = model
    for part in path.split("."):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            relations = ", ".join(sorted(f.name for f in current._meta.get_fields() if f.is_relation)) or "-"
            return _("%(path)s: %(model)s has no relation %(field)r (its relations: %(relations)s).") % {
                "path": path,
                "model": current._meta.label,
                "field": part,
                "relations": relations,
            }
        if not field.is_relation or field.related_model is None:
            return _("%(path)s: %(model)s.%(field)s is not a relation to follow.") % {
                "path": path,
                "model": current._meta.label,
                "field": part,
            }
        current = field.related_model
    if not _is_user_model(current):
        return _("%(path)s leads to %(model)s, not to users (%(users)s).") % {
            "path": path,
            "model": current._meta.label,
            "users": get_user_model()._meta.label,
        }
    return None


def validate_receiver_paths(paths: Any, model: Any) -> list[str]:
    """The admin's errors for a subscription's receiver paths against the trigger's model."""
    if paths in (None, "", []):
        return []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return [_('Give a list of dotted paths, e.g. ["author", "article.followers"].')]
    if model is None:
        return [_("Receiver paths need the trigger's sender model: choose one on the trigger.")]
    return [problem for path in paths if (problem := path_problem(model, path))]


def validate_receiver_callable(name: str) -> str | None:
    """The admin's error for a receiver callable name, or None (only registered names are accepted)."""
    if not name:
        return None
    problem = unregistered_callable_problem(RECEIVER, name)
    return None if problem is None else problem[:1].upper() + problem[1:] + "."


def path_q(instance: Any, path: str) -> Q:
    """The users at the end of ``path`` from ``instance``, as a Q over the user model (no query run)."""
    if not isinstance(instance, Model):
        return NOBODY
    model = type(instance)
    problem = path_problem(model, path)
    if problem:
        raise ValueError(problem)
    parts = path.split(".")
    first = model._meta.get_field(parts[0])
    if first.concrete and (first.many_to_one or first.one_to_one):
        # A forward foreign key: its value is on the instance, so start from the related row.
        related_value = getattr(instance, first.attname)  # type: ignore[union-attr]
        if related_value is None:
            return NOBODY
        target = first.target_field  # type: ignore[union-attr,attr-defined]
        if len(parts) == 1:
            return Q(**{target.attname: related_value})
        related = first.related_model._base_manager.filter(**{target.attname: related_value})  # type: ignore[union-attr]
        return Q(pk__in=related.values("__".join(parts[1:]) + "__pk"))
    if instance.pk is None:  # deleted: its reverse and many-to-many rows are gone too
        return NOBODY
    rows = model._base_manager.filter(pk=instance.pk)
    return Q(pk__in=rows.values("__".join(parts) + "__pk"))


def callable_q(view: Any, name: str) -> tuple[Q, bool]:
    """Call the receiver callable registered as ``name``; returns its users as a Q and whether it holds a lazy queryset."""
    function = registered_callable(RECEIVER, name)
    if function is None:
        raise LookupError(unregistered_callable_problem(RECEIVER, name))
    result = function(view)
    if result is None:
        return NOBODY, False
    if isinstance(result, QuerySet):
        if not _is_user_model(result.model):
            raise TypeError(_("returned a queryset of %(model)s, not of users") % {"model": result.model._meta.label})
        return Q(pk__in=result.values("pk")), True
    if isinstance(result, (Model, str, int)):
        result = [result]
    ids: list[Any] = []
    for item in result:
        if isinstance(item, Model):
            if not _is_user_model(type(item)):
                raise TypeError(_("returned a %(model)s, not a user") % {"model": item._meta.label})
            ids.append(item.pk)
        else:
            ids.append(item)
    return Q(pk__in=ids), False
