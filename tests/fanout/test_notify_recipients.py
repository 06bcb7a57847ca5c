"""notify() names recipients the way declarations and the CLI do: a username works too."""

from __future__ import annotations

import pytest

from django_signal_notifier import notify
from django_signal_notifier.fanout.notify import resolve_recipients
from django_signal_notifier.models import Notification
from tests.support.factories import user

pytestmark = pytest.mark.django_db


def test_a_username_is_a_recipient(django_capture_on_commit_callbacks):
    ada = user("ada")

    with django_capture_on_commit_callbacks(execute=True):
        notify("report_ready", recipients="ada", subject="Your report is ready")

    assert Notification.objects.get().recipient == ada


def test_usernames_ids_and_users_mix_and_count_once():
    ada, bob, cy = user("ada"), user("bob"), user("cy")
    assert resolve_recipients(["ada", str(bob.pk), cy, ada.pk]) == sorted([ada.pk, bob.pk, cy.pk])


def test_an_unknown_username_is_a_clear_error_at_the_call():
    user("ada")
    with pytest.raises(ValueError, match="Cannot notify 'adda': no user has that username, and it is not a user id"):
        notify("report_ready", recipients=["ada", "adda"], subject="x")
