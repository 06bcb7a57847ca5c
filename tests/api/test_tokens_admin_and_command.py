"""Tokens are created (shown once) and revoked from the admin and from ``signal_notifier token``."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from django_signal_notifier.models import ApiToken
from django_signal_notifier.models.api_token import hash_token
from tests.api.conftest import API

pytestmark = pytest.mark.django_db
COUNTS = f"{API}/notifications/counts/"


def _works(raw: str) -> bool:
    return Client(headers={"Authorization": f"Bearer {raw}"}).get(COUNTS).status_code == 200


@pytest.fixture
def admin_client(alice: Any) -> Client:
    staff = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(staff)
    return client


def test_the_admin_creates_a_token_and_shows_it_once(admin_client: Client, alice: Any) -> None:
    response = admin_client.post(
        reverse("admin:django_signal_notifier_apitoken_add"), {"user": alice.pk, "name": "CLI"}, follow=True
    )
    assert response.status_code == 200
    raw = re.search(r"dsn_[A-Za-z0-9_-]{40,}", response.content.decode())  # in the page's messages
    assert raw is not None
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (alice, "CLI", hash_token(raw.group()))
    assert _works(raw.group())
    change_page = admin_client.get(reverse("admin:django_signal_notifier_apitoken_change", args=[token.pk]))
    assert raw.group() not in change_page.content.decode() and token.prefix in change_page.content.decode()


def test_the_admin_revokes_tokens(admin_client: Client, alice: Any) -> None:
    raw = ApiToken.objects.issue(alice)[1]
    admin_client.post(
        reverse("admin:django_signal_notifier_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]},
    )
    assert not ApiToken.objects.exists()
    assert not _works(raw)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("signal_notifier", "token", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        err.write(f"[exit {exit_.code}]")
    return out.getvalue(), err.getvalue()


def test_the_command_creates_lists_and_revokes(alice: Any, bob: Any) -> None:
    raw, err = _run("create", "alice", "--name", "phone", "--expires-in-days", "30")
    raw = raw.strip()
    assert "will not be shown again" in err and _works(raw)
    assert ApiToken.objects.get().expires_at is not None

    listing, _ = _run("list", "alice")
    assert raw[:12] in listing and "phone" in listing and raw not in listing

    bobs = ApiToken.objects.issue(bob)[1]
    out, _ = _run("revoke", raw[:12])
    assert "1 token(s) revoked" in out and not _works(raw) and _works(bobs)
    _run("revoke", "--user", "bob")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "args",
    [("create", "nobody"), ("create", "alice", "--expires-in-days", "0"), ("revoke",), ("revoke", "dsn_missing")],
)
def test_the_command_reports_bad_input(alice: Any, args: tuple[str, ...]) -> None:
    _out, err = _run(*args)
    assert "Error:" in err and "[exit 2]" in err
