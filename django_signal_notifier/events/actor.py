"""Who is acting: an actor for the signals that do not carry one (e.g. post_save).

``ActorMiddleware`` sets the request's user for the duration of a request; code outside a
request uses ``with acting_as(user): ...``. A signal's own ``actor``/``actor_object`` kwarg wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_current_actor: ContextVar[Any] = ContextVar("django_signal_notifier_actor", default=None)


def current_actor() -> Any:
    """The actor set by :func:`acting_as` or the middleware, or None."""
    actor = _current_actor.get()
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
    """Makes ``request.user`` the actor of events sent while handling the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_actor.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            _current_actor.reset(token)
