"""Sensitive models (sessions, tokens, the admin log, permissions) are no senders without opt-in (issue 17).

A trigger on ``sessions.Session`` put session keys into Event snapshots and templates.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.checks import Warning as CheckWarning
from django.test import override_settings

from django_signal_notifier.checks.configuration import check_stored_configuration
from django_signal_notifier.config.problems import trigger_problems
from django_signal_notifier.config.sensitive import is_sensitive
from django_signal_notifier.models import ApiToken, Event, Notification, Trigger
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
W029 = "signal_notifier.W029"


def _new_session() -> str:
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.create()
    return str(store.session_key)


def _log_entry() -> None:
    user = get_user_model().objects.create_user("staff", is_staff=True)
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Article), object_repr="x", action_flag=ADDITION
    )


def _permission() -> None:
    Permission.objects.create(name="Can fly", codename="fly", content_type=ContentType.objects.get_for_model(Article))


SENSITIVE = [(Session, _new_session), (LogEntry, _log_entry), (Permission, _permission)]


@pytest.fixture
def ana() -> Any:
    return get_user_model().objects.create_user("ana", "ana@example.org")


@pytest.mark.parametrize(("model", "make"), SENSITIVE, ids=lambda value: getattr(value, "__name__", ""))
def test_a_trigger_on_a_sensitive_model_never_fires(django_capture_on_commit_callbacks, ana, model, make):
    subscribe("post_save", model, users=[ana], messenger="InSiteMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        made = make()
    assert not Event.objects.exists()
    assert not Notification.objects.exists()
    if isinstance(made, str):  # a session key: nowhere in the package's rows
        assert not Event.objects.filter(snapshot__icontains=made).exists()


def test_an_any_sender_trigger_skips_sensitive_models(django_capture_on_commit_callbacks, ana):
    subscribe("post_save", None, users=[ana], messenger="InSiteMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        key = _new_session()
        Article.objects.create(title="seen")
    assert Event.objects.count() == 1 and key not in str(Event.objects.get().snapshot)
    assert Notification.objects.count() == 1


@override_settings(SIGNAL_NOTIFIER={"ALLOWED_SENSITIVE_MODELS": ["sessions.Session"]})
def test_allowed_sensitive_models_opt_in(django_capture_on_commit_callbacks, ana):
    trigger = subscribe("post_save", Session, users=[ana], messenger="InSiteMessenger").trigger
    with django_capture_on_commit_callbacks(execute=True):
        _new_session()
    assert Notification.objects.count() == 1
    assert not [p for p in trigger_problems(trigger) if p.check_id == W029]


def test_a_trigger_row_on_a_sensitive_model_is_a_warning_never_an_error(ana):
    trigger = subscribe("post_save", Session, users=[ana], messenger="InSiteMessenger").trigger
    trigger.full_clean()  # a staff row is saved: it is reported, not refused
    problems = [p for p in trigger_problems(trigger) if p.check_id == W029]
    assert len(problems) == 1 and "ALLOWED_SENSITIVE_MODELS" in problems[0].hint
    messages = [m for m in check_stored_configuration(databases=["default"]) if m.id == W029]
    assert len(messages) == 1 and type(messages[0]) is CheckWarning
    assert "sessions.Session" in messages[0].msg


def test_the_known_credential_models_are_sensitive():
    assert all(is_sensitive(model) for model in (Session, LogEntry, Permission, ApiToken))
    assert not any(is_sensitive(model) for model in (Article, Trigger, get_user_model()))
