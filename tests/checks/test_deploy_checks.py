"""``check --deploy --database default`` says what production email is missing (W043-W045)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

from django_signal_notifier.config.declare import Declarer
from django_signal_notifier.models import Subscription
from tests.support.taskpaths import TASK_BACKENDS

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_CHECKS = {"signal_notifier.W043", "signal_notifier.W044", "signal_notifier.W045"}


def deploy(databases: list[str] | None = ["default"]) -> dict[str, Any]:  # noqa: B006
    found = checks.run_checks(include_deployment_checks=True, databases=databases)
    return {m.id: m for m in found if m.id in EMAIL_CHECKS}


@pytest.fixture
def email_is_sent() -> Subscription:
    declarer = Declarer()
    trigger = declarer.trigger("article-saved", verb="post_save", model="testapp.Article")
    email = declarer.backend("email", messenger="EmailMessenger", name="Staff email")
    return declarer.subscription("staff", trigger=trigger, backends=[email], receiver_field_paths=["author"])


def test_email_without_site_url_or_unsubscribe_route_inside_requests_is_reported(email_is_sent, settings):
    settings.EMAIL_BACKEND, settings.SIGNAL_NOTIFIER = SMTP, {}
    settings.ROOT_URLCONF = "tests.checks.urls_without_pages"  # the inbox, no preferences pages

    found = deploy()
    assert set(found) == EMAIL_CHECKS
    assert "SITE_URL'] is not set" in found["signal_notifier.W043"].msg
    assert "Staff email" in found["signal_notifier.W043"].msg  # says which backends send email
    assert "django_signal_notifier.preferences.pages.urls" in found["signal_notifier.W045"].hint
    assert "inside the request that saved the model" in found["signal_notifier.W044"].msg
    assert all(isinstance(m, checks.Warning) for m in found.values())


def test_a_production_setup_is_clean(email_is_sent, settings):
    settings.EMAIL_BACKEND = SMTP
    settings.TASKS = {
        "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
        "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    settings.SIGNAL_NOTIFIER = {"SITE_URL": "https://example.com", "TASK_BACKEND": "db"}
    assert deploy() == {}


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend", SIGNAL_NOTIFIER={})
def test_a_local_email_backend_waits_for_no_mail_server(email_is_sent):
    assert set(deploy()) == {"signal_notifier.W043"}


@override_settings(EMAIL_BACKEND=SMTP, SIGNAL_NOTIFIER={})
def test_nothing_is_reported_when_no_subscription_sends_email(email_is_sent):
    Subscription.objects.update(enabled=False)
    assert deploy() == {}


@override_settings(EMAIL_BACKEND=SMTP, SIGNAL_NOTIFIER={})
def test_the_email_checks_read_the_database_only_when_one_is_named(email_is_sent):
    assert deploy(databases=None) == {}
