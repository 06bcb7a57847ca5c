"""A small named-class registry, shared by messengers and message templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from django_signal_notifier.exceptions import ConfigurationError

T = TypeVar("T", bound=type)

# Every registry by kind ("messenger", "message template"), so that the models, which sit below
# the stages that own the registries, can validate a name without importing those stages.
_BY_KIND: dict[str, Registry[type]] = {}


def registry_of(kind: str) -> Registry[type]:
    """The registry of ``kind``; its stage is imported by the app's ``ready()``."""
    return _BY_KIND[kind]


class Registry(Generic[T]):
    """Classes by name. A stored Backend names a class; the admin lists the names."""

    def __init__(self, kind: str, base: type, error: type[ConfigurationError] = ConfigurationError) -> None:
        self.kind = kind
        self.base = base
        self.error = error
        self._classes: dict[str, T] = {}
        _BY_KIND[kind] = self  # type: ignore[assignment]

    @overload
    def register(self, cls: T, *, name: str | None = None) -> T: ...
    @overload
    def register(self, cls: None = None, *, name: str | None = None) -> Callable[[T], T]: ...
    def register(self, cls: T | None = None, *, name: str | None = None) -> T | Callable[[T], T]:
        """Register ``cls`` under ``name`` (default: its ``name`` attribute or class name)."""

        def add(klass: T) -> T:
            if not (isinstance(klass, type) and issubclass(klass, self.base)):
                raise self.error(f"A {self.kind} must be a subclass of {self.base.__module__}.{self.base.__name__}.")
            key = name or klass.__dict__.get("name") or klass.__name__
            existing = self._classes.get(key)
            if existing is not None and existing is not klass and _qualname(existing) != _qualname(klass):
                raise self.error(f"The {self.kind} name {key!r} is already taken by {_qualname(existing)}.")
            self._classes[key] = klass
            return klass

        return add if cls is None else add(cls)

    def register_path(self, dotted_path: str) -> T:
        """Import ``dotted_path`` and register the class it names."""
        try:
            klass = import_string(dotted_path)
        except ImportError as error:
            raise self.error(f"Cannot import the {self.kind} {dotted_path!r}: {error}") from error
        return self.register(klass)  # type: ignore[no-any-return]

    def get(self, name: str) -> T | None:
        return self._classes.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def names(self) -> list[str]:
        return sorted(self._classes)

    def choices(self) -> list[tuple[str, str]]:
        return [(key, getattr(cls, "label", "") or key) for key, cls in sorted(self._classes.items())]

    def items(self) -> list[tuple[str, T]]:
        return sorted(self._classes.items())


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# -- callables named by stored configuration -------------------------------------------------------
# A trigger condition ``{"op": "callable", "value": name}`` and ``Subscription.receiver_callable``
# store a *name*; only functions registered here under that name can run. Nothing stored in the
# database is ever imported, so an admin cannot make a send call ``sys.exit`` or ``os.system``.
CONDITION = "condition"
RECEIVER = "receiver"
CALLABLE_KINDS = {CONDITION: "condition callable", RECEIVER: "receiver callable"}
_CALLABLES: dict[str, dict[str, Callable[..., Any]]] = {kind: {} for kind in CALLABLE_KINDS}
# Called after each registration: a trigger left out for naming a callable not registered yet
# (its module imported after the index was built) is taken in at the next send.
_registration_listeners: list[Callable[[], None]] = []

F = TypeVar("F", bound=Callable[..., Any])


def default_callable_name(function: Callable[..., Any]) -> str:
    """``module.qualname``: the name a function is registered under when none is given.

    It is also the dotted path older versions stored, so rows written then keep working once
    their function is registered.
    """
    return f"{function.__module__}.{function.__qualname__}"


@overload
def register_callable(name: str | None, function: F, *, kind: str) -> F: ...
@overload
def register_callable(name: str | None = None, function: None = None, *, kind: str) -> Callable[[F], F]: ...
def register_callable(name: str | None = None, function: F | None = None, *, kind: str) -> F | Callable[[F], F]:
    """Allow stored configuration to name ``function`` (as ``name``, default ``module.qualname``).

    ``kind`` is ``"condition"`` (``function(event) -> bool``) or ``"receiver"``
    (``function(event_view) -> users, user ids or a user queryset``). Usable as a decorator.
    """
    if kind not in CALLABLE_KINDS:
        raise ConfigurationError(f"Unknown callable kind {kind!r}; use one of {', '.join(CALLABLE_KINDS)}.")

    def add(target: F) -> F:
        if not callable(target):
            raise ConfigurationError(f"A {CALLABLE_KINDS[kind]} must be callable, not {target!r}.")
        key = name or default_callable_name(target)
        existing = _CALLABLES[kind].get(key)
        if existing is not None and existing is not target and _fqn(existing) != _fqn(target):
            raise ConfigurationError(f"The {CALLABLE_KINDS[kind]} name {key!r} is already taken by {_fqn(existing)}.")
        _CALLABLES[kind][key] = target
        for listener in _registration_listeners:
            listener()
        return target

    return add if function is None else add(function)


def condition(name: str | None = None) -> Callable[[F], F]:
    """Decorator: register ``function(event) -> bool`` for ``{"op": "callable", "value": name}``."""
    return register_callable(name, kind=CONDITION)


def receiver(name: str | None = None) -> Callable[[F], F]:
    """Decorator: register ``function(event_view) -> users`` for ``Subscription.receiver_callable = name``."""
    return register_callable(name, kind=RECEIVER)


def on_callable_registered(listener: Callable[[], None]) -> None:
    """Call ``listener()`` after every registration (the trigger index rebuilds)."""
    _registration_listeners.append(listener)


def registered_callable(kind: str, name: str) -> Callable[..., Any] | None:
    """The function registered as ``name``, or None."""
    return _CALLABLES[kind].get(name)


def callable_names(kind: str) -> list[str]:
    """The registered names of ``kind``, sorted (the admin offers them)."""
    return sorted(_CALLABLES[kind])


def _fqn(function: Callable[..., Any]) -> str:
    return default_callable_name(function)


def unregistered_callable_problem(kind: str, name: Any) -> str | None:
    """Why stored configuration cannot call ``name``, saying how to register it; None when it can."""
    if isinstance(name, str) and name in _CALLABLES[kind]:
        return None
    decorator = "condition" if kind == CONDITION else "receiver"
    return _(
        "no %(what)s is registered as %(name)r; register the function in code with "
        '@django_signal_notifier.%(decorator)s("%(name)s")'
    ) % {"what": CALLABLE_KINDS[kind], "name": name, "decorator": decorator}
