"""Data protection: a user's data exported as JSON, then erased (by command, and when the user is deleted)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from django_signal_notifier import acting_as
from django_signal_notifier.models import Delivery, Event, Mute, Notification, Preference, Suppression, WebPushDevice
from django_signal_notifier.privacy import erase_user_data, export_user_data
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def story(recorded):
    """bob acts (an article saved as him) and gets messages; alice gets messages about bob."""
    bob = get_user_model().objects.create_user("bob", email="bob@example.com", first_name="Bob", last_name="Marley")
    alice = user("alice")
    inbox = subscribe("post_save", Article, users=[alice, bob], messenger="InSiteMessenger")
    recording = subscribe("post_save", Article, users=[alice, bob])
    Preference.objects.create(user=bob, subscription=recording, channel="RecordingMessenger", enabled=True)
    with acting_as(bob):
        Article.objects.create(title="Big news")
    assert inbox and Notification.objects.filter(recipient=alice, actor_text="bob").exists()
    return bob, alice


def test_the_export_holds_the_user_s_inbox_messages_and_preferences(story):
    bob, _ = story
    data = export_user_data(bob)
    assert data["user"] == {"id": bob.pk, "username": "bob"}
    assert [n["actor"] for n in data["notifications"]] == ["bob"]
    assert [(d["channel"], d["status"]) for d in data["deliveries"]] == [("RecordingMessenger", "sent")]
    assert [p["channel"] for p in data["preferences"]] == ["RecordingMessenger"]
    json.dumps(data)  # JSON-safe as it is

    out = StringIO()
    call_command("signal_notifier", "export-user", "bob", stdout=out)
    assert json.loads(out.getvalue())["notifications"][0]["actor"] == "bob"


def test_erasing_deletes_the_user_s_rows_and_scrubs_what_names_them(story):
    bob, alice = story
    counts = erase_user_data(bob)
    assert counts["notifications"] == 1 and counts["deliveries"] == 1 and counts["preferences"] == 1
    assert not Notification.objects.filter(recipient=bob).exists()
    assert not Delivery.objects.filter(recipient=bob).exists() and not Preference.objects.filter(user=bob).exists()

    event = Event.objects.get()
    assert event.snapshot["actor"]["repr"] == "[erased]" and event.snapshot["actor"]["fields"] == {}
    assert "bob@example.com" not in json.dumps(event.snapshot)
    alice_note = Notification.objects.get(recipient=alice)
    assert "bob" not in alice_note.title and alice_note.actor_text == "[erased]"
    alice_message = Delivery.objects.get(recipient=alice)
    assert "bob" not in json.dumps(alice_message.content).lower()
    assert export_user_data(bob)["notifications"] == []


def test_erase_user_needs_confirmation_and_names_an_unknown_user(story):
    err = StringIO()
    with pytest.raises(SystemExit) as refused:
        call_command("signal_notifier", "erase-user", "bob", stderr=err)
    assert refused.value.code == 2 and "add --yes" in err.getvalue()
    with pytest.raises(SystemExit):
        call_command("signal_notifier", "erase-user", "nobody", "--yes", stderr=StringIO())
    out = StringIO()
    call_command("signal_notifier", "erase-user", "bob", "--yes", stdout=out)
    assert "Erased the data of bob: 1 notifications, 1 deliveries, 1 preferences" in out.getvalue()


def test_deleting_a_user_erases_their_data_and_scrubs_the_events(story, settings):
    bob, alice = story
    bob.delete()
    event = Event.objects.get()
    assert event.snapshot["actor"]["repr"] == "[erased]"
    assert Notification.objects.get(recipient=alice).actor_text == "[erased]"
    assert Delivery.objects.filter(recipient__isnull=True).count() == 0  # bob's own message deleted, not orphaned


def test_erasing_on_delete_can_be_turned_off(story, settings):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "ERASE_ON_USER_DELETE": False}
    bob, _ = story
    bob.delete()
    assert Event.objects.get().snapshot["actor"]["repr"] == "bob"


def test_a_suppressed_address_is_exported_and_outlives_the_erasure_unlinked(story):
    bob, _ = story
    delivery = Delivery.objects.get(recipient=bob)
    Suppression.objects.suppress("email", "Bob@Example.com", reason="Postmark reported bounced", delivery=delivery)

    [exported] = export_user_data(bob)["suppressions"]
    assert (exported["channel"], exported["address"], exported["lifted_at"]) == ("email", "bob@example.com", None)

    erase_user_data(bob)
    kept = Suppression.objects.get()  # the address stays unreachable, but no longer tied to bob's rows
    assert kept.delivery_id is None
    assert Suppression.objects.reasons_for("email", ["bob@example.com"]) == {
        "bob@example.com": "Postmark reported bounced"
    }


def test_the_user_s_web_push_browsers_are_exported_and_erased(story):
    bob, alice = story
    WebPushDevice.objects.register(bob, "https://push.example/bob", "key", "auth", "Firefox")
    WebPushDevice.objects.register(alice, "https://push.example/alice", "key", "auth", "Chrome")
    assert [(d["push_service"], d["user_agent"]) for d in export_user_data(bob)["webpush_devices"]] == [
        ("push.example", "Firefox")
    ]
    assert erase_user_data(bob)["webpush_devices"] == 1
    assert list(WebPushDevice.objects.values_list("user_agent", flat=True)) == ["Chrome"]


def test_mutes_are_exported_and_erased():
    carol = user("carol")
    article = Article.objects.create(title="Muted")
    Mute.objects.mute(carol, ContentType.objects.get_for_model(Article).pk, str(article.pk), "Muted")
    exported = export_user_data(carol)["mutes"]
    assert [(m["object_id"], m["text"]) for m in exported] == [(str(article.pk), "Muted")]
    assert erase_user_data(carol)["mutes"] == 1
    assert not Mute.objects.exists()
