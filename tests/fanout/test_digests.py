"""Digests collapse a recipient's window into one message; throttling drops repeats. Time moves by timestamps."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.fanout.digests import collapse_due_digests, send_digests
from django_signal_notifier.models import Delivery, DeliveryStatus
from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.registry import template_registry
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401

HOUR = 3600


@template_registry.register
class CommentDigestTemplate(MessageTemplate):
    subject = "{% load i18n %}{% blocktranslate %}{{ count }} new comments in the last hour{% endblocktranslate %}"
    template_string = "{% for item in items %}{{ item.subject }}\n{% endfor %}"


def age(deliveries, seconds: float) -> None:
    """Move deliveries (and their events) ``seconds`` into the past."""
    for delivery in deliveries:
        when = delivery.created_at - timedelta(seconds=seconds)
        Delivery.objects.filter(pk=delivery.pk).update(created_at=when, next_attempt_at=when)


def held():
    return list(Delivery.objects.exclude(digest_key="").filter(status=DeliveryStatus.PENDING).order_by("pk"))


@pytest.mark.django_db
def test_five_events_in_a_window_are_one_message_and_a_sixth_after_it_starts_a_new_one(
    django_capture_on_commit_callbacks, sent
):
    ana = make_user("ana")
    configure([ana], digest_seconds=HOUR, digest_template="CommentDigestTemplate")

    for i in range(5):
        save_article(django_capture_on_commit_callbacks, f"comment {i}")
    assert sent == []  # held, not sent
    first_five = held()
    assert len(first_five) == 5 and len({d.digest_key for d in first_five}) == 1
    assert collapse_due_digests() == []  # the window is still open

    age(first_five, 2 * HOUR)  # the window opened two hours ago and closed one hour ago
    save_article(django_capture_on_commit_callbacks, "comment 5")  # the sixth, now: after the window
    with django_capture_on_commit_callbacks(execute=True):
        call_command("signal_notifier", "digest", stdout=StringIO())

    assert len(sent) == 1
    assert sent[0].subject == "5 new comments in the last hour"
    assert sent[0].text.split("\n") == [f"created article “comment {i}”" for i in range(5)]
    digest = Delivery.objects.get(status=DeliveryStatus.SENT)
    assert digest.pk == first_five[0].pk
    skipped = Delivery.objects.filter(status=DeliveryStatus.SKIPPED)
    assert sorted(skipped.values_list("pk", flat=True)) == [d.pk for d in first_five[1:]]
    assert set(skipped.values_list("reason", flat=True)) == {f"in digest #{digest.pk}"}

    sixth = held()
    assert len(sixth) == 1  # waits in its own, new window
    assert collapse_due_digests() == []

    save_article(django_capture_on_commit_callbacks, "comment 6")
    age(held(), 2 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        ready = send_digests.call()
    assert ready == 1
    assert sent[1].subject == "2 new comments in the last hour"
    assert held() == []


@pytest.mark.django_db
def test_a_window_with_one_message_sends_it_as_written(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    configure([ana], digest_seconds=HOUR)
    save_article(django_capture_on_commit_callbacks, "only one")
    age(held(), HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("signal_notifier", "digest", stdout=StringIO())
    assert [m.subject for m in sent] == ["created article “only one”"]


@pytest.mark.django_db
def test_each_recipient_has_their_own_window_and_language(django_capture_on_commit_callbacks, sent):
    ana, bob = make_user("ana", "ana@correo.es"), make_user("bob")
    configure([ana, bob], digest_seconds=HOUR)
    settings = {"CONFIG_CHECK_INTERVAL": 0.2, "LANGUAGE_GETTER": "tests.support.recording.language_of"}
    with override_settings(SIGNAL_NOTIFIER=settings):
        for i in range(3):
            save_article(django_capture_on_commit_callbacks, f"c{i}")
        age(held(), HOUR)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("signal_notifier", "digest", stdout=StringIO())

    subjects = {m.address: m.subject for m in sent}
    assert subjects == {"ana@correo.es": "3 notificaciones nuevas", "bob@example.com": "3 new notifications"}
    texts = {m.address: m.text.splitlines()[0] for m in sent}
    assert texts["bob@example.com"] == "3 new notifications in the last 1\xa0hour:"
    assert texts["ana@correo.es"] == "3 notificaciones nuevas desde hace 1\xa0hora:"


@pytest.mark.django_db
def test_held_deliveries_are_never_due_on_their_own(django_capture_on_commit_callbacks, sent):
    from django_signal_notifier.delivery.tasks import redrive

    configure([make_user("ana")], digest_seconds=HOUR)
    save_article(django_capture_on_commit_callbacks)
    age(held(), 10 * HOUR)
    assert not Delivery.objects.due().exists()
    redrive.call()
    assert sent == []


@pytest.mark.django_db
def test_a_broken_digest_template_is_recorded_not_lost(django_capture_on_commit_callbacks, sent):
    configure([make_user("ana")], digest_seconds=HOUR, digest_template="NoSuchTemplate")
    for i in range(2):
        save_article(django_capture_on_commit_callbacks, f"c{i}")
    age(held(), HOUR)
    assert collapse_due_digests() == []
    rows = Delivery.objects.all()
    assert {(d.status, d.reason) for d in rows} == {(DeliveryStatus.DEAD, "configuration error")}
    assert all("NoSuchTemplate" in d.last_error for d in rows)


@pytest.mark.django_db
def test_digest_collapse_queries_do_not_grow_with_the_number_of_messages(django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    configure([make_user("ana")], digest_seconds=HOUR)
    for i in range(3):
        save_article(django_capture_on_commit_callbacks, f"a{i}")
    age(held(), HOUR)
    with CaptureQueriesContext(connection) as few:
        collapse_due_digests()
    for i in range(12):
        save_article(django_capture_on_commit_callbacks, f"b{i}")
    age(held(), HOUR)
    with CaptureQueriesContext(connection) as many:
        collapse_due_digests()
    assert len(few) == len(many)


# -- throttling -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_identical_events_within_the_window_are_throttled(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana")
    configure([ana], throttle_seconds=600)

    article = save_article(django_capture_on_commit_callbacks, "v1")
    save_article(django_capture_on_commit_callbacks, "v2", article)  # same object, same recipient
    other = save_article(django_capture_on_commit_callbacks, "another article")  # another object

    assert [m.subject for m in sent] == ["created article “v1”", "created article “another article”"]
    throttled = Delivery.objects.get(reason="throttled")
    assert throttled.status == DeliveryStatus.SKIPPED

    age(Delivery.objects.exclude(status=DeliveryStatus.SKIPPED), 601)  # the window has passed
    save_article(django_capture_on_commit_callbacks, "v3", article)
    assert sent[-1].subject == "updated article “v3”"
    assert other.pk != article.pk


@pytest.mark.django_db
@override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 3600})  # no stamp reads mid-measure
def test_throttle_costs_one_query_whatever_the_number_of_recipients(django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int, prefix: str) -> int:
        users = [make_user(f"{prefix}{i}") for i in range(count)]
        subscription = configure(users, throttle_seconds=600)
        article = save_article(django_capture_on_commit_callbacks, prefix)
        trigger_index.refresh()  # configuration changes are loaded before, not during, the measure
        with CaptureQueriesContext(connection) as queries:
            save_article(django_capture_on_commit_callbacks, prefix + "!", article)
        assert Delivery.objects.filter(subscription=subscription, reason="throttled").count() == count
        subscription.enabled = False
        subscription.save()
        return len(queries)

    assert queries_for(2, "s") == queries_for(40, "l")


@pytest.mark.django_db
def test_an_unknown_digest_template_is_refused_by_validation():
    from django.core.exceptions import ValidationError

    subscription = configure([], digest_seconds=HOUR, digest_template="NoSuchTemplate")
    with pytest.raises(ValidationError) as caught:
        subscription.full_clean()
    assert "NoSuchTemplate" in str(caught.value.message_dict["digest_template"])
    subscription.digest_template = "CommentDigestTemplate"
    subscription.full_clean(exclude=["backends"])


@pytest.mark.django_db
def test_opting_out_while_messages_wait_drops_the_digest(django_capture_on_commit_callbacks, sent):
    from django_signal_notifier.preferences.rules import set_preference

    ana, bob = make_user("ana"), make_user("bob")
    subscription = configure([ana, bob], digest_seconds=HOUR)
    for i in range(3):
        save_article(django_capture_on_commit_callbacks, f"c{i}")
    set_preference(ana.pk, subscription.pk, "EmailRecordingMessenger", False)
    age(held(), HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("signal_notifier", "digest", stdout=StringIO())

    assert [m.address for m in sent] == ["bob@example.com"]
    assert set(Delivery.objects.filter(recipient=ana).values_list("status", "reason")) == {
        (DeliveryStatus.SKIPPED, "opted out")
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_digest_runs_make_one_digest(sent):
    import threading

    from django.db import connection, connections

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SKIPPED LOUDLY: row locks are exercised on PostgreSQL and MariaDB (DSN_TEST_DB)")
    ana = make_user("ana")
    configure([ana], digest_seconds=HOUR)
    for i in range(5):
        save_article(_RunNow, f"c{i}")
    age(held(), HOUR)
    barrier = threading.Barrier(2)
    results: list[list[int]] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(collapse_due_digests())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(len(r) for r in results) == [0, 1]
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING, digest_key="").count() == 1
    assert Delivery.objects.filter(status=DeliveryStatus.SKIPPED).count() == 4


class _RunNow:
    """In a transaction=True test, on_commit callbacks run at once: a no-op stand-in for the capture."""

    def __init__(self, execute: bool = True) -> None:
        pass

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
