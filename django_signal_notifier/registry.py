"""A small named-class registry, shared by messengers and message templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, overload

from django.utils.module_loading import import_string

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
