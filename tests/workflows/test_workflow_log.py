"""The delivery log shows scheduled, held, waiting, cancelled and fallen-back rows; the trigger page shows the steps."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from django_signal_notifier import cancel
from django_signal_notifier.models import Backend, Delivery, Profile
from tests.admin.test_admin_config import staff  # noqa: F401
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db
LOG = "admin:django_signal_notifier_delivery_changelist"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def listed(client: Any, workflow: str) -> tuple[set[int], str]:
    """The ids the delivery log lists with this workflow filter, and the page."""
    response = client.get(reverse(LOG), {"workflow": workflow})
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}, response.content.decode()


def test_the_delivery_log_filters_scheduled_held_and_cancelled_rows_with_reason_and_due_time(
    client: Any,
    staff: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],  # noqa: F811
) -> None:
    ana, bob = make_user("ana"), make_user("bob")
    Profile.objects.create(user=ana, time_zone="Europe/Paris", quiet_hours_start=time(22), quiet_hours_end=time(7))
    configure([ana, bob])
    with time_machine.travel(datetime(2099, 3, 10, 23, 30, tzinfo=PARIS), tick=False):
        save_article(django_capture_on_commit_callbacks, "held at night")
    held = Delivery.objects.get(recipient=ana)

    ids, page = listed(client, "held")
    assert ids == {held.pk}
    assert "held: quiet hours until 07:00 Europe/Paris" in page
    assert "March 11, 2099, 6 a.m." in page  # its due time (07:00 in Paris, 06:00 UTC)
    assert listed(client, "scheduled")[0] == {held.pk}

    cancel(f"testapp.article:{held.event.action_object_id}")
    assert listed(client, "cancelled")[0] == {held.pk}
    assert listed(client, "held")[0] == set()


def test_the_triggers_page_lists_each_subscriptions_steps_in_order(client: Any, staff: Any) -> None:  # noqa: F811
    subscription = configure(
        [make_user("ana")], messengers=("InSiteMessenger", "EmailRecordingMessenger", "RecordingMessenger")
    )
    inbox, email, sms = sorted(subscription.backends.all(), key=lambda b: b.pk)
    subscription.steps = {
        str(email.pk): {"delay": 3600, "only_if_unread": True},
        str(sms.pk): {"fallback": True, "urgent": True},
    }
    subscription.save()
    page = client.get(
        reverse("admin:django_signal_notifier_trigger_change", args=[subscription.trigger_id])
    ).content.decode()
    steps = page.split("Steps in order")[1]
    assert steps.index(str(inbox)) < steps.index(str(email)) < steps.index(str(sms))
    assert "1 h after the event, only if the in-site notification is unread" in steps
    assert "at once, only if the step before ended dead or undeliverable, urgent (not held by quiet hours)" in steps
    assert isinstance(Backend.objects.get(pk=inbox.pk), Backend)


def test_fire_dry_run_prints_each_recipients_timeline_with_steps_due_times_and_quiet_hours() -> None:
    ana = make_user("ana")
    Profile.objects.create(user=ana, time_zone="Europe/Paris", quiet_hours_start=time(22), quiet_hours_end=time(7))
    subscription = configure([ana], messengers=("InSiteMessenger", "EmailRecordingMessenger"))
    email = subscription.backends.get(messenger="EmailRecordingMessenger")
    subscription.steps = {str(email.pk): {"delay": 3600, "only_if_unread": True}}
    subscription.save()
    article = Article.objects.create(title="Engines")
    out = StringIO()
    with time_machine.travel(datetime(2099, 3, 10, 21, 30, tzinfo=PARIS), tick=False):
        call_command(
            "signal_notifier",
            "fire",
            str(subscription.trigger_id),
            "--object",
            str(article.pk),
            "--dry-run",
            stdout=out,
        )
    lines = out.getvalue().splitlines()
    assert lines[1:] == [
        "  ana:",
        "    2099-03-10T20:30:00+00:00  InSiteMessenger: 'updated article “Engines”'",
        "      step: at once",
        "    2099-03-11T07:00:00+01:00  EmailRecordingMessenger <ana@example.com>: 'updated article “Engines”'",
        "      step: 1 h after the event, only if the in-site notification is unread; held: quiet hours until 07:00 Europe/Paris",
    ]


def test_the_delivery_log_lists_the_steps_that_fell_back_and_the_fallbacks_still_waiting(
    client: Any,
    staff: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ana, bob = make_user("ana"), make_user("bob")
    type(ana).objects.filter(pk=ana.pk).update(email="")  # the first channel cannot reach her
    subscription = configure([ana, bob], messengers=("EmailRecordingMessenger", "RecordingMessenger"))
    second = subscription.backends.get(messenger="RecordingMessenger")
    subscription.steps = {str(second.pk): {"fallback": True}}
    subscription.save()
    with monkeypatch.context() as patched:  # written, not sent (no deliver task): the fallbacks wait
        patched.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
        article = save_article(django_capture_on_commit_callbacks, "reach me")
    waiting = set(Delivery.objects.filter(backend=second).values_list("pk", flat=True))
    assert len(waiting) == 2
    assert listed(client, "waiting")[0] == waiting
    assert listed(client, "fell_back")[0] == set()

    call_command("signal_notifier", "redrive", stdout=StringIO())
    assert len(sent) == 1 and article.pk

    first_of_ana = Delivery.objects.filter(
        recipient=ana, backend__messenger="EmailRecordingMessenger", status="skipped"
    )
    assert listed(client, "fell_back")[0] == set(first_of_ana.values_list("pk", flat=True))
    assert len(first_of_ana) == 1
