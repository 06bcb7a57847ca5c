"""A bad stored row is one diagnosis everywhere and never stops the site.

The three rows of issue 14: a Slack backend with options ``{}`` (and no bot token), a backend
naming an unknown messenger, a trigger whose content type's model was removed. Each is a Warning
in ``check --database default``, the same text in the admin's problems column and in
``signal_notifier list --problems``, and nothing at all in a bare ``check`` (which reads no row).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_signal_notifier.config.problems import backend_problems, trigger_problems
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Trigger
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


def slack_without_options() -> tuple[str, str, Any]:
    subscription = subscribe("post_save", Article, users=[user("alice")], messenger="SlackMessenger")
    backend = Backend.objects.get(subscriptions=subscription)
    Backend.objects.filter(pk=backend.pk).update(options={})
    return "signal_notifier.W016", "backend", backend


def unknown_messenger() -> tuple[str, str, Any]:
    subscription = subscribe("post_save", Article, users=[user("alice")])
    backend = Backend.objects.get(subscriptions=subscription)
    Backend.objects.filter(pk=backend.pk).update(messenger="old.path.Pigeon")
    return "signal_notifier.W012", "backend", backend


def removed_model() -> tuple[str, str, Any]:
    gone = ContentType.objects.create(app_label="gone_app", model="removedmodel")
    subscription = subscribe("post_save", Article, users=[user("alice")])
    Trigger.objects.filter(pk=subscription.trigger_id).update(action_object_content_type=gone)
    return "signal_notifier.W011", "trigger", Trigger.objects.get(pk=subscription.trigger_id)


BAD_ROWS = [slack_without_options, unknown_messenger, removed_model]


def diagnosis(kind: str, row: Any, check_id: str) -> str:
    row = type(row).objects.get(pk=row.pk)
    found = backend_problems(row) if kind == "backend" else trigger_problems(row)
    [problem] = [p for p in found if p.check_id == check_id]
    return problem.text


def run(*args: str, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_slack_backend_without_options_names_the_missing_keys(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {}
    _, _, backend = slack_without_options()
    text = diagnosis("backend", backend, "signal_notifier.W016")
    assert "'webhook_url'" in text and "'channel'" in text and "SLACK_BOT_TOKEN" in text


@pytest.mark.parametrize("bad_row", BAD_ROWS, ids=lambda f: f.__name__)
def test_a_bad_row_is_a_warning_only_in_the_database_checks(bad_row: Callable[[], Any]) -> None:
    check_id, kind, row = bad_row()
    text = diagnosis(kind, row, check_id)

    with CaptureQueriesContext(connection) as queries:
        out, err = run("check")  # raises SystemCheckError on any Error
    assert check_id not in out + err
    assert [q["sql"] for q in queries.captured_queries] == []

    out, err = run("check", databases=["default"])  # still no SystemCheckError
    assert check_id in err and text in err
    assert "WARNINGS:" in err and "ERRORS:" not in err


@pytest.mark.parametrize("bad_row", BAD_ROWS, ids=lambda f: f.__name__)
def test_the_admin_and_list_problems_show_the_same_diagnosis(bad_row: Callable[[], Any], admin_client: Any) -> None:
    check_id, kind, row = bad_row()
    text = diagnosis(kind, row, check_id)
    changelist = admin_client.get(reverse("admin:django_signal_notifier_trigger_changelist")).content.decode()
    assert html.escape(text) in changelist
    if kind == "backend":
        page = admin_client.get(reverse("admin:django_signal_notifier_backend_changelist")).content.decode()
        assert html.escape(text) in page
    with pytest.raises(SystemExit) as exited:
        run("signal_notifier", "list", "--problems")
    assert exited.value.code == 1
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("signal_notifier", "list", "--problems", stdout=out)
    assert text in out.getvalue()


def test_a_subscription_with_no_receivers_is_the_same_problem_in_the_admin_and_the_cli(admin_client: Any) -> None:
    subscription = subscribe("post_save", Article)  # nobody receives it
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("signal_notifier", "list", "--problems", stdout=out)
    assert "! no receivers" in out.getvalue()
    triggers = admin_client.get(reverse("admin:django_signal_notifier_trigger_changelist")).content.decode()
    assert f"subscription {subscription.pk}: no receivers" in triggers
    subscriptions = admin_client.get(reverse("admin:django_signal_notifier_subscription_changelist")).content.decode()
    assert "no receivers" in subscriptions
    _, err = run("check", databases=["default"])
    assert "signal_notifier.W030" in err and f"Subscription {subscription.pk}" in err


@pytest.mark.parametrize("bad_row", [slack_without_options, unknown_messenger], ids=lambda f: f.__name__)
def test_at_send_time_the_delivery_is_dead_with_the_reason(
    bad_row: Callable[[], Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SIGNAL_NOTIFIER = {}
    check_id, kind, row = bad_row()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="sent through a bad backend")
    delivery = Delivery.objects.get(backend=row)
    if check_id == "signal_notifier.W012":
        assert delivery.status == DeliveryStatus.DEAD
        assert delivery.last_error == diagnosis(kind, row, check_id)  # "unknown messenger 'old.path.Pigeon'"
    else:  # with neither option Slack DMs each user: alice has no Slack member id
        assert delivery.status == DeliveryStatus.SKIPPED
        assert delivery.reason and not delivery.sent_at, delivery.reason


def test_a_trigger_on_a_removed_model_sends_nothing_and_is_in_the_index_problems(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_signal_notifier.config.index import trigger_index

    check_id, kind, row = removed_model()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="no trigger matches")
    assert not Delivery.objects.exists()
    text = diagnosis(kind, row, check_id)
    assert any(text in problem for problem in trigger_index.problems)
