"""Per-user inbox cache that cannot leak between users.

Every key holds the user's id and two version tokens: the user's own, replaced on every write to
their inbox, and a global one, replaced by writes that span many users (admin actions,
``mark_all_as_read()`` without a user). A write therefore makes every cached value of that user
unreachable at once, and a value cached for one user is never read under another user's key.

Tokens are bumped after the transaction commits (so a reader that cached the pre-commit value
in between is superseded) and, inside a caller's transaction, also at once (so the same
transaction or request sees its own write); the fan-out's own transaction needs only the first. A missing token is replaced by a fresh random one, never by a fixed default, so an
evicted token cannot resurrect an older cached value.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import BaseCache, caches
from django.db import transaction

from django_signal_notifier.conf import app_settings
from django_signal_notifier.signals import inbox_changed

T = TypeVar("T")
# True while the package writes in a transaction that it opened itself (see fanout.write_event).
in_own_transaction: ContextVar[bool] = ContextVar("dsn_in_own_transaction", default=False)
PREFIX = "dsn:inbox"
GLOBAL_VERSION_KEY = f"{PREFIX}:v:*"
# Tokens outlive the values keyed on them; an expired token only costs one cache miss.
VERSION_TIMEOUT = 7 * 24 * 3600


def inbox_cache() -> BaseCache:
    """The cache configured by ``SIGNAL_NOTIFIER["INBOX_CACHE"]``."""
    return caches[str(app_settings.INBOX_CACHE)]


def _user_version_key(user_id: Any) -> str:
    return f"{PREFIX}:v:{user_id}"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def _ensure(cache: BaseCache, key: str, current: Any) -> str:
    if current is not None:
        return str(current)
    cache.add(key, _new_token(), VERSION_TIMEOUT)
    return str(cache.get(key) or _new_token())  # a dummy cache stores nothing: never cache then


def user_version(user_id: Any) -> str:
    """The version part of ``user_id``'s cache keys (one cache round trip)."""
    cache = inbox_cache()
    user_key = _user_version_key(user_id)
    found = cache.get_many([GLOBAL_VERSION_KEY, user_key])
    global_token = _ensure(cache, GLOBAL_VERSION_KEY, found.get(GLOBAL_VERSION_KEY))
    user_token = _ensure(cache, user_key, found.get(user_key))
    return f"{global_token}.{user_token}"


def cache_key(user_id: Any, name: str) -> str:
    """A key for ``name`` of ``user_id``'s inbox at its current version."""
    return f"{PREFIX}:{user_id}:{user_version(user_id)}:{name}"


def cached(user_id: Any, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` for this user, cached until their inbox changes (or INBOX_CACHE_TIMEOUT)."""
    cache = inbox_cache()
    key = cache_key(user_id, name)
    missing = object()
    value = cache.get(key, missing)
    if value is missing:
        value = compute()
        cache.set(key, value, float(app_settings.INBOX_CACHE_TIMEOUT))
    return value  # type: ignore[no-any-return]


def _bump_now(user_ids: Iterable[Any] | None) -> None:
    cache = inbox_cache()
    if user_ids is None:
        cache.set(GLOBAL_VERSION_KEY, _new_token(), VERSION_TIMEOUT)
        return
    token = _new_token()  # fresh for each of these users: one token serves them all
    keys = dict.fromkeys(map(_user_version_key, user_ids), token)
    if keys:
        cache.set_many(keys, VERSION_TIMEOUT)


def bump(user_ids: Iterable[Any] | None, using: str | None = None) -> None:
    """Invalidate the cached inbox values of ``user_ids`` (None: of every user).

    Call it after changing Notification rows by other means than this package's API (a raw
    ``update()``), or rely on ``INBOX_CACHE_TIMEOUT`` to bound how long a count stays stale.
    """
    ids = None if user_ids is None else list(dict.fromkeys(user_ids))
    # In a transaction of the package's own (a fan-out after commit) nothing reads the inbox
    # before the commit: the bump after it is enough. Elsewhere the caller's later reads in the
    # same transaction must see the write at once.
    if not in_own_transaction.get() and transaction.get_connection(using).in_atomic_block:
        _bump_now(ids)
    transaction.on_commit(lambda: _bump_now(ids), using=using)


def _on_inbox_changed(
    sender: Any, user_ids: Iterable[Any] | None = None, using: str | None = None, **kwargs: Any
) -> None:
    bump(user_ids, using=using)


inbox_changed.connect(_on_inbox_changed, dispatch_uid="django_signal_notifier.inbox.cache")
