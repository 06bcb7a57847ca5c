"""Workflows with a real worker process: django-tasks-db's ``db_worker`` runs each step at its time.

The event is saved here (the request), the worker fans it out and sends; deferred steps are
enqueued with ``run_after`` and run by the worker when due. Times are real and short (seconds):
a worker process cannot share a test's travelling clock. PostgreSQL only (tests/support/workers.py).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from django_signal_notifier import cancel
from django_signal_notifier.models import (
    Backend,
    Delivery,
    DeliveryStatus,
    Notification,
    Profile,
    Subscription,
    Trigger,
)
from django_signal_notifier.models.profile import DigestFrequency
from tests.support.delivery_setup import configure
from tests.support.taskpaths import TASK_BACKENDS
from tests.support.workers import Workers, celery_worker_args, postgres_workers, wait_until
from tests.testapp.models import Appointment, Article, Booking, SentRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services, pytest.mark.slow]

TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
DELAY = 3  # seconds: long enough to act on the inbox row before the step is due


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Workers]:
    pool = postgres_workers(tmp_path)
    with override_settings(TASKS=TASKS, SIGNAL_NOTIFIER={"TASK_BACKEND": "db"}):
        pool.manage(
            "db_worker",
            "--backend",
            "db",
            "--queue-name",
            "default",
            "--interval",
            "0.1",
            "--no-startup-delay",
            DSN_TASK_BACKEND="db",
        )
        yield pool
    pool.close()


def outcomes() -> dict[str, tuple[str, str]]:
    return {d.recipient.username: (d.status, d.reason) for d in Delivery.objects.select_related("recipient")}


def sent_to() -> list[str]:
    return sorted(SentRecord.objects.values_list("address", flat=True))


def settled(count: int) -> bool:
    return (
        Delivery.objects.exclude(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.WAITING]
        ).count()
        == count
    )


def with_steps(setup: Any, steps: dict[str, Any], *backends: Backend) -> Subscription:
    subscription = setup.subscription
    subscription.backends.add(*backends)
    subscription.steps = steps
    subscription.save()
    return subscription


def test_an_escalation_email_goes_only_to_the_recipients_who_left_the_inbox_row_unread(worker: Workers) -> None:
    setup = configure(3)
    escalation = 3 * DELAY  # the worker starts meanwhile and fans out; the reader reads before it is due
    inbox = Backend.objects.create(messenger="InSiteMessenger", name="inbox")
    with_steps(setup, {str(setup.backend.pk): {"delay": escalation, "only_if_unread": True}}, inbox)
    saved_at = timezone.now()
    Article.objects.create(title="escalate")

    wait_until(lambda: Notification.objects.count() == 3, 30, lambda: f"the inbox rows; {worker.outputs()}")
    reader = setup.users[0]
    Notification.objects.filter(recipient=reader).mark_as_read()
    assert timezone.now() < saved_at + timedelta(seconds=escalation)  # read before the email was due

    wait_until(lambda: settled(3), 30, lambda: f"the escalation ({outcomes()}); {worker.outputs()}")
    assert sent_to() == [setup.users[1].username, setup.users[2].username]
    assert outcomes()[reader.username] == ("skipped", "read in the inbox")
    first_sent = Delivery.objects.filter(status="sent").order_by("sent_at").first()
    assert first_sent.sent_at >= first_sent.created_at + timedelta(seconds=escalation)


def test_a_reminder_is_sent_at_the_time_the_appointment_gives(worker: Workers) -> None:
    setup = configure(1)
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Booking)
    )
    subscription = Subscription.objects.create(trigger=trigger, receiver_field_paths=["user"])
    subscription.backends.add(setup.backend)
    subscription.steps = {str(setup.backend.pk): {"send_at": "appointment.starts_at", "offset": "-1h"}}
    subscription.save()
    due = timezone.now() + timedelta(seconds=DELAY)
    appointment = Appointment.objects.create(title="dentist", starts_at=due + timedelta(hours=1))
    Booking.objects.create(appointment=appointment, user=setup.users[0])

    wait_until(lambda: sent_to(), 30, lambda: f"the reminder; {worker.outputs()}")
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.next_attempt_at == due and delivery.sent_at >= due


def test_a_fallback_to_a_second_channel_runs_after_the_first_ends_dead(worker: Workers) -> None:
    setup = configure(2, options={"permanent": True})
    second = Backend.objects.create(messenger="DurableRecordingMessenger", name="second channel")
    with_steps(setup, {str(second.pk): {"fallback": True}}, second)
    Article.objects.create(title="bounce")

    wait_until(lambda: settled(4), 30, lambda: f"the fallback; {worker.outputs()}")
    by_backend = {(d.backend_id, d.status) for d in Delivery.objects.all()}
    assert by_backend == {(setup.backend.pk, "dead"), (second.pk, "sent")}
    assert sent_to() == sorted(u.username for u in setup.users)


def test_a_cancel_key_stops_the_pending_steps(worker: Workers) -> None:
    setup = configure(2)
    with_steps(setup, {str(setup.backend.pk): {"delay": DELAY}})
    article = Article.objects.create(title="soon deleted")
    wait_until(lambda: Delivery.objects.count() == 2, 30, lambda: f"the fan-out; {worker.outputs()}")

    assert cancel(article) == 2

    from django_tasks_db.models import DBTaskResult

    deferred = DBTaskResult.objects.filter(run_after__isnull=False)
    wait_until(
        lambda: deferred.exists() and not deferred.exclude(status="SUCCESSFUL").exists(), 30, "the deferred step to run"
    )
    assert sent_to() == []
    assert set(outcomes().values()) == {("skipped", "cancelled")}


def test_a_message_is_held_through_the_recipients_quiet_hours_and_sent_when_they_end(worker: Workers) -> None:
    setup = configure(2)
    sleeper, other = setup.users
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    now = timezone.now().astimezone(paris)
    ends = (now + timedelta(seconds=3 * DELAY)).replace(microsecond=0)  # beyond the worker's start
    Profile.objects.create(
        user=sleeper,
        time_zone="Europe/Paris",
        quiet_hours_start=(now - timedelta(hours=1)).time(),
        quiet_hours_end=ends.time(),
    )
    Article.objects.create(title="late news")

    wait_until(lambda: settled(2), 30, lambda: f"both messages ({outcomes()}); {worker.outputs()}")
    held = Delivery.objects.get(recipient=sleeper)
    assert held.next_attempt_at == ends
    assert held.sent_at >= ends
    assert Delivery.objects.get(recipient=other).sent_at < ends  # no quiet hours: at once


def test_a_users_weekly_digest_is_one_message_for_the_week(worker: Workers) -> None:
    setup = configure(1)
    reader = setup.users[0]
    Profile.objects.create(user=reader, digest_frequency=DigestFrequency.WEEKLY)
    for title in ("monday", "tuesday", "friday"):
        Article.objects.create(title=title)
    held = Delivery.objects.exclude(digest_key="")
    wait_until(lambda: held.count() == 3, 30, lambda: f"the held messages; {worker.outputs()}")
    assert sent_to() == []
    a_week_ago = timezone.now() - timedelta(days=7, minutes=1)
    held.update(created_at=a_week_ago)  # the week has passed

    digest = worker.manage("signal_notifier", "digest", DSN_TASK_BACKEND="db")
    assert worker.finish(digest) == 0, worker.output(digest)

    wait_until(lambda: sent_to(), 30, lambda: f"the digest; {worker.outputs()}")
    [record] = SentRecord.objects.all()
    assert record.address == reader.username
    assert {d.status for d in Delivery.objects.all()} == {"sent", "skipped"}
    assert Delivery.objects.get(status="sent").content["subject"] == "3 new notifications"


def test_a_celery_worker_runs_a_delayed_step_at_its_time_through_eta(tmp_path: Path) -> None:
    from tests.conftest import require_service

    require_service("Redis", "127.0.0.1", 6379)
    import redis

    from django_signal_notifier.delivery.backends.celery import app
    from tests.support.workers import REDIS_URL

    redis.Redis.from_url(REDIS_URL).flushdb()
    app.conf.broker_url = REDIS_URL
    pool = postgres_workers(tmp_path)
    celery_tasks = {**TASKS, "celery": {"BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend"}}
    try:
        with override_settings(TASKS=celery_tasks, SIGNAL_NOTIFIER={"TASK_BACKEND": "celery"}):
            setup = configure(2)
            with_steps(setup, {str(setup.backend.pk): {"delay": DELAY}})
            worker = pool.start(
                *celery_worker_args(),
                DSN_TASK_BACKEND="celery",
            )
            Article.objects.create(title="later, through celery")
            wait_until(lambda: settled(2), 60, lambda: f"the delayed step ({outcomes()}); {pool.output(worker)}")
        for delivery in Delivery.objects.all():
            assert delivery.sent_at >= delivery.next_attempt_at == delivery.created_at + timedelta(seconds=DELAY)
        assert sent_to() == sorted(u.username for u in setup.users)
    finally:
        pool.close()
