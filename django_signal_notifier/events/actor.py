"""Who is acting: an actor for the signals that do not carry one (e.g. post_save).

``ActorMiddleware`` sets the request's user for the duration of a request; code outside a
request uses ``with acting_as(user): ...``. A signal's own ``actor``/``actor_object`` kwarg wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

_current_actor: ContextVar[Any] = ContextVar("django_signal_notifier_actor", default=None)


class _RequestUser:
    """A request's user, read when an event asks for it.

    Not the lazy ``request.user`` itself: asgiref compares context variables' values when it
    hands a context between threads, and comparing the lazy object would load the user from the
    database inside the event loop (SynchronousOnlyOperation under ASGI).
    """

    __slots__ = ("request",)

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def user(self) -> Any:
        return getattr(self.request, "user", None)


def current_actor() -> Any:
    """The actor set by :func:`acting_as` or the middleware, or None."""
    actor = _current_actor.get()
    if isinstance(actor, _RequestUser):
        actor = actor.user()
    if actor is not None and getattr(actor, "is_authenticated", True) is False:
        return None
    return actor


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Attribute the events sent inside the block to ``actor``."""
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


class ActorMiddleware:
    """Makes ``request.user`` the actor of events sent while handling the request.

    Sync and async capable: under ASGI an async view (the realtime stream) runs without a thread.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        token = _current_actor.set(_RequestUser(request))
        try:
            return self.get_response(request)
        finally:
            _current_actor.reset(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        token = _current_actor.set(_RequestUser(request))
        try:
            return await self.get_response(request)  # type: ignore[no-any-return]
        finally:
            _current_actor.reset(token)
