"""`signal_notifier redrive` and `signal_notifier prune`."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from django_signal_notifier.models import Delivery, DeliveryStatus
from tests.support.delivery_setup import configure
from tests.testapp.models import Article, SentRecord

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("signal_notifier", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Five pending deliveries that no task sent (as when the task backend was down)."""
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    setup = configure(5)
    Article.objects.create(title="queued")
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 5
    return setup


def test_redrive_sends_due_deliveries_and_reports(queued: Any) -> None:
    code, out, _ = run("redrive", "--limit", "3")
    assert code == 0
    assert out.strip() == "Redrove 3 deliveries: 3 sent, 0 failed, 0 dead, 0 skipped, 0 lost_claim."
    code, out, _ = run("redrive", "--json")
    assert code == 0
    assert json.loads(out) == {"sent": 2, "failed": 0, "dead": 0, "skipped": 0, "lost_claim": 0}
    assert SentRecord.objects.count() == 5
    assert json.loads(run("redrive", "--json")[1])["sent"] == 0  # nothing left: nothing sent twice


def test_redrive_takes_abandoned_claims_and_failed_due_ones(queued: Any) -> None:
    past = timezone.now() - timedelta(seconds=1)
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    Delivery.objects.filter(pk=ids[0]).update(status=DeliveryStatus.SENDING, claim_token="dead", claimed_until=past)
    Delivery.objects.filter(pk=ids[1]).update(status=DeliveryStatus.FAILED, next_attempt_at=past, attempts=1)
    Delivery.objects.filter(pk=ids[2]).update(
        status=DeliveryStatus.FAILED, next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    code, out, _ = run("redrive", "--json")
    assert json.loads(out)["sent"] == 4
    assert Delivery.objects.get(pk=ids[2]).status == DeliveryStatus.FAILED  # not due yet


def test_redrive_exits_non_zero_when_deliveries_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    configure(2, options={"permanent": True})
    Article.objects.create(title="doomed")
    code, out, _ = run("redrive")
    assert code == 1
    assert "2 dead" in out


def test_redrive_rejects_a_bad_limit() -> None:
    code, _, err = run("redrive", "--limit", "0")
    assert code == 2 and "--limit" in err


def test_prune_by_age_and_status(queued: Any) -> None:
    from django_signal_notifier.models import Event

    old = timezone.now() - timedelta(days=40)
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids[:2]).update(status=DeliveryStatus.SENT, created_at=old)
    Delivery.objects.filter(pk=ids[2]).update(status=DeliveryStatus.DEAD, created_at=old)
    Delivery.objects.filter(pk=ids[3]).update(status=DeliveryStatus.SENT)  # recent
    Event.objects.update(created_at=old)

    code, out, _ = run("prune", "--older-than", "30", "--dry-run")
    assert (code, out.strip()) == (
        0,
        "Would delete 2 deliveries older than 30 days (2 sent) and 0 events left without any.",
    )
    assert Delivery.objects.count() == 5

    code, out, _ = run("prune", "--older-than", "30")
    assert out.strip() == "Deleted 2 deliveries older than 30 days (2 sent) and 0 events left without any."
    assert set(Delivery.objects.values_list("pk", flat=True)) == set(ids[2:])
    assert Event.objects.count() == 1  # still has deliveries

    Delivery.objects.filter(pk__in=ids[2:]).update(status=DeliveryStatus.SKIPPED, created_at=old)
    Delivery.objects.filter(pk=ids[2]).update(status=DeliveryStatus.DEAD)
    code, out, _ = run("prune", "--older-than", "30", "--status", "dead", "--status", "skipped", "--dry-run")
    assert out.strip().endswith("(1 dead, 2 skipped) and 1 events left without any.")
    code, out, _ = run("prune", "--older-than", "30", "--status", "dead", "--status", "skipped")
    assert out.strip() == "Deleted 3 deliveries older than 30 days (1 dead, 2 skipped) and 1 events left without any."
    assert not Event.objects.exists()


def test_prune_keeps_events_of_in_site_notifications(queued: Any) -> None:
    from django_signal_notifier.models import Event, Notification

    old = timezone.now() - timedelta(days=40)
    Delivery.objects.update(status=DeliveryStatus.SENT, created_at=old)
    Event.objects.update(created_at=old)
    event = Event.objects.get()
    Notification.objects.create(recipient=queued.users[0], event=event, title="kept")
    code, out, _ = run("prune", "--older-than", "30")
    assert out.strip().endswith("(5 sent) and 0 events left without any.")
    assert Event.objects.filter(pk=event.pk).exists()


def test_prune_refuses_unsent_and_unknown_statuses() -> None:
    code, _, err = run("prune", "--older-than", "1", "--status", "pending")
    assert code == 2 and "not been sent" in err
    code, _, err = run("prune", "--older-than", "1", "--status", "bogus")
    assert code == 2 and "Unknown status bogus" in err
