"""Step times: reminders at a time taken from the event's object, quiet hours, a user's digest frequency.

The clock is moved with time-machine; the immediate task backend cannot defer, so the sweeper
(``signal_notifier redrive``) sends a step once it is due, as in production without a deferring backend.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from django_signal_notifier import declare
from django_signal_notifier.fanout.digests import send_digests_now
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Profile, Subscription, Trigger
from django_signal_notifier.models.profile import DigestFrequency
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401
from tests.testapp.models import Appointment, Booking

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
HOUR = 3600


def redrive_at(when: Any) -> None:
    with time_machine.travel(when, tick=False):
        call_command("signal_notifier", "redrive", stdout=StringIO())


def reminders(**step: Any) -> Subscription:
    """post_save on Booking -> an email to the booking's user, with ``step``."""
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Booking)
    )
    subscription = Subscription.objects.create(trigger=trigger, receiver_field_paths=["user"])
    email, _ = Backend.objects.get_or_create(key="email", defaults={"messenger": "EmailRecordingMessenger"})
    subscription.backends.add(email)
    subscription.steps = {"email": step}
    subscription.full_clean()
    subscription.save()
    return subscription


def book(capture: Any, user: Any, starts_at: Any) -> Booking:
    with capture(execute=True):
        appointment = Appointment.objects.create(title="dentist", starts_at=starts_at)
        return Booking.objects.create(appointment=appointment, user=user)


def test_a_reminder_is_sent_an_hour_before_the_appointment_and_not_earlier(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    reminders(send_at="appointment.starts_at", offset="-1h")
    starts_at = timezone.now() + timedelta(days=1)

    book(django_capture_on_commit_callbacks, ana, starts_at)

    [delivery] = Delivery.objects.all()
    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.PENDING, starts_at - timedelta(hours=1))
    redrive_at(starts_at - timedelta(minutes=61))
    assert sent == []
    redrive_at(starts_at - timedelta(minutes=59))
    assert [m.address for m in sent] == ["ana@example.com"]


def test_a_reminder_whose_time_has_passed_is_sent_at_once_or_skipped_as_the_step_says(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    subscription = reminders(send_at="appointment.starts_at", offset="-1h")
    book(django_capture_on_commit_callbacks, ana, timezone.now() + timedelta(minutes=30))
    assert [m.address for m in sent] == ["ana@example.com"]  # an hour before was half an hour ago: now

    subscription.steps = {"email": {"send_at": "appointment.starts_at", "offset": "-1h", "past": "skip"}}
    subscription.save()
    book(django_capture_on_commit_callbacks, ana, timezone.now() + timedelta(minutes=30))
    assert len(sent) == 1
    skipped = Delivery.objects.get(status=DeliveryStatus.SKIPPED)
    assert skipped.reason.startswith("send_at time passed")


def test_a_reminder_for_an_object_without_a_time_is_skipped_with_the_reason(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    reminders(send_at="appointment.starts_at")
    book(django_capture_on_commit_callbacks, make_user("ana"), None)
    assert sent == []
    assert Delivery.objects.get().reason == "send_at 'appointment.starts_at' is empty on the event's object"


def test_send_at_paths_are_checked_against_the_triggers_model_with_clear_errors() -> None:
    with pytest.raises(ValidationError, match="Appointment has no field 'start'"):
        reminders(send_at="appointment.start")
    with pytest.raises(ValidationError, match="'title' is a CharField, not a date or date-time"):
        reminders(send_at="appointment.title")
    with pytest.raises(ValidationError, match="either delay or send_at"):
        reminders(send_at="appointment.starts_at", delay=60)
    with pytest.raises(ValidationError, match="offset must be seconds or text"):
        reminders(send_at="appointment.starts_at", offset="an hour")
    with pytest.raises(ValidationError, match="offset and past apply to send_at"):
        reminders(offset="-1h")
    reminders(send_at="appointment.day", offset="+9h", past="skip", urgent=True)  # a date field is fine


def test_declare_refuses_a_send_at_path_that_leads_nowhere() -> None:
    d = declare.Declarer()
    trigger = d.trigger("booked", verb="post_save", model="testapp.Booking")
    email = d.backend("email", messenger="EmailRecordingMessenger")
    with pytest.raises(Exception, match="Booking has no field 'when'"):
        d.subscription("remind", trigger=trigger, backends=[email], steps={"email": {"send_at": "when"}})


def quiet(user: Any, start: str = "22:00", end: str = "07:00", zone: str = "Europe/Paris", **extra: Any) -> Profile:
    profile = Profile(
        user=user,
        time_zone=zone,
        quiet_hours_start=time.fromisoformat(start),
        quiet_hours_end=time.fromisoformat(end),
        **extra,
    )
    profile.full_clean()
    profile.save()
    return profile


def test_a_message_due_in_quiet_hours_is_held_until_they_end_in_the_recipients_time_zone(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana, bob = make_user("ana"), make_user("bob")
    quiet(ana)
    configure([ana, bob])
    late_evening = datetime(2026, 3, 10, 23, 30, tzinfo=PARIS)

    with time_machine.travel(late_evening, tick=False):
        save_article(django_capture_on_commit_callbacks, "at night")

    assert [m.address for m in sent] == ["bob@example.com"]  # no quiet hours: at once
    held = Delivery.objects.get(recipient=ana)
    morning = datetime(2026, 3, 11, 7, 0, tzinfo=PARIS)
    assert (held.status, held.next_attempt_at, held.reason) == (
        DeliveryStatus.PENDING,
        morning,
        "held: quiet hours until 07:00 Europe/Paris",
    )
    redrive_at(morning - timedelta(minutes=1))
    assert len(sent) == 1
    redrive_at(morning + timedelta(seconds=1))
    assert [m.address for m in sent] == ["bob@example.com", "ana@example.com"]
    held.refresh_from_db()
    assert (held.status, held.reason) == (DeliveryStatus.SENT, "")


def test_quiet_hours_follow_the_recipients_own_time_zone_and_spare_urgent_steps(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    quiet(ana, zone="America/New_York")  # 23:30 in Paris is 17:30 in New York: not quiet there
    subscription = configure([ana])
    with time_machine.travel(datetime(2026, 3, 10, 23, 30, tzinfo=PARIS), tick=False):
        save_article(django_capture_on_commit_callbacks, "evening in Paris")
    assert len(sent) == 1

    bob = make_user("bob")
    quiet(bob)
    subscription.receiver_users.set([bob])
    subscription.steps = {str(subscription.backends.get().pk): {"urgent": True}}
    subscription.save()
    with time_machine.travel(datetime(2026, 3, 11, 2, 0, tzinfo=PARIS), tick=False):
        save_article(django_capture_on_commit_callbacks, "the server is down")
    assert [m.subject for m in sent][-1:] and sent[-1].address == "bob@example.com"


def test_a_delayed_step_that_becomes_due_in_quiet_hours_is_held_too(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    quiet(ana, start="13:00", end="14:00")
    subscription = configure([ana])
    subscription.steps = {str(subscription.backends.get().pk): {"delay": HOUR}}
    subscription.save()
    with time_machine.travel(datetime(2026, 3, 10, 12, 30, tzinfo=PARIS), tick=False):
        save_article(django_capture_on_commit_callbacks, "lunch")
    held = Delivery.objects.get()
    assert held.next_attempt_at == datetime(2026, 3, 10, 14, 0, tzinfo=PARIS)
    assert held.reason == "held: quiet hours until 14:00 Europe/Paris"


def test_quiet_hours_and_time_zones_are_validated() -> None:
    ana = make_user("ana")
    with pytest.raises(ValidationError, match="not a time zone"):
        Profile(user=ana, time_zone="Mars/Olympus").full_clean()
    with pytest.raises(ValidationError, match="both ends"):
        Profile(user=ana, quiet_hours_start=time(22)).full_clean()


def test_a_users_weekly_digest_gathers_a_weeks_messages_into_one(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana, bob = make_user("ana"), make_user("bob")
    Profile.objects.create(user=ana, digest_frequency=DigestFrequency.WEEKLY)
    configure([ana, bob])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
    for day in range(3):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            save_article(django_capture_on_commit_callbacks, f"news {day}")

    assert [m.address for m in sent] == ["bob@example.com"] * 3  # bob chose nothing: each at once
    with time_machine.travel(start + timedelta(days=6), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert send_digests_now() == []  # the week is not over
    with (
        time_machine.travel(start + timedelta(days=7, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert len(send_digests_now()) == 1
    digest = sent[-1]
    assert digest.address == "ana@example.com"
    assert digest.subject == "3 new notifications"
    assert "news 0" in digest.text and "news 2" in digest.text


def test_a_user_who_wants_everything_immediately_is_not_held_by_a_subscriptions_digest(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana, bob = make_user("ana"), make_user("bob")
    Profile.objects.create(user=ana, digest_frequency=DigestFrequency.IMMEDIATELY)
    configure([ana, bob], digest_seconds=HOUR)
    save_article(django_capture_on_commit_callbacks, "one")
    assert [m.address for m in sent] == ["ana@example.com"]
    assert Delivery.objects.get(recipient=bob).digest_key != ""


def test_a_digest_collapsed_in_the_recipients_quiet_hours_waits_for_their_end(
    django_capture_on_commit_callbacks: Any, sent: list[Any]
) -> None:
    ana = make_user("ana")
    quiet(ana, digest_frequency=DigestFrequency.DAILY)
    configure([ana])
    with time_machine.travel(datetime(2026, 3, 10, 2, 0, tzinfo=PARIS), tick=False):
        save_article(django_capture_on_commit_callbacks, "news")  # held for the digest, not by quiet hours
    collapse_at = datetime(2026, 3, 11, 2, 30, tzinfo=PARIS)
    with time_machine.travel(collapse_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        [digest_id] = send_digests_now()
    assert sent == []
    digest = Delivery.objects.get(pk=digest_id)
    assert digest.next_attempt_at == datetime(2026, 3, 11, 7, 0, tzinfo=PARIS)
    assert digest.reason == "held: quiet hours until 07:00 Europe/Paris"
    redrive_at(datetime(2026, 3, 11, 7, 0, 1, tzinfo=PARIS))
    assert [m.address for m in sent] == ["ana@example.com"]
