"""API fixtures: users, a token, and a client that sends it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client

from django_signal_notifier.models import ApiToken

API = "/inbox/api/v1"


@pytest.fixture(autouse=True)
def clear_inbox_cache() -> Iterator[None]:
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def alice(db: Any) -> Any:
    return get_user_model().objects.create_user("alice", "alice@example.com", "pw")


@pytest.fixture
def bob(db: Any) -> Any:
    return get_user_model().objects.create_user("bob", "bob@example.com", "pw")


def token_client(user: Any) -> Client:
    """A client that authenticates with a fresh token of ``user`` (and no session)."""
    _token, raw = ApiToken.objects.issue(user, name="tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})
