"""Configuring notifications in the admin: selects from the registries, validation, actions."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.quickstart.models import TestModel1
from tests.support.factories import subscribe, user
from tests.testapp.models import Article, UUIDThing

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return admin


def trigger_form(**overrides):
    data = {
        "name": "",
        "verb": "post_save",
        "action_object_content_type": str(ContentType.objects.get_for_model(Article).pk),
        "action_object_id": "",
        "actor_object_content_type": "",
        "actor_object_id": "",
        "target": "",
        "enabled": "on",
        "key": "",
        "subscriptions-TOTAL_FORMS": "0",
        "subscriptions-INITIAL_FORMS": "0",
        "subscriptions-MIN_NUM_FORMS": "0",
        "subscriptions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_trigger_form_lists_registered_signals_and_models(client, staff):
    page = client.get(reverse("admin:django_signal_notifier_trigger_add")).content.decode()
    for verb in ("pre_save", "post_save", "m2m_changed", "user_logged_in", "user_login_failed"):
        assert f'value="{verb}"' in page
    assert "test model1" in page.lower() or "testmodel1" in page.lower()


def test_creating_a_trigger_in_the_admin_fires_at_once(client, staff, recorded, django_capture_on_commit_callbacks):
    response = client.post(reverse("admin:django_signal_notifier_trigger_add"), trigger_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    trigger = Trigger.objects.get()
    backend = Backend.objects.create(messenger="RecordingMessenger")
    subscription = Subscription.objects.create(trigger=trigger)
    subscription.backends.add(backend)
    subscription.receiver_users.add(staff)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="admin made")
    assert len(recorded) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"verb": "no_such_signal"}, "verb", "Select a valid choice"),
        ({"action_object_id": "999999"}, "action_object_id", "No article with primary key 999999 exists"),
        (
            {"action_object_content_type": "", "action_object_id": "1"},
            "action_object_id",
            "An object id needs its model",
        ),
    ],
)
def test_trigger_validation_errors_are_clear(client, staff, overrides, field, message):
    response = client.post(reverse("admin:django_signal_notifier_trigger_add"), trigger_form(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, [])), errors
    assert Trigger.objects.count() == 0


def test_an_object_id_that_is_not_a_valid_uuid_is_refused(client, staff):
    uuid_ct = ContentType.objects.get_for_model(UUIDThing)
    response = client.post(
        reverse("admin:django_signal_notifier_trigger_add"),
        trigger_form(action_object_content_type=str(uuid_ct.pk), action_object_id="not-a-uuid"),
    )
    assert "action_object_id" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"messenger": "NoSuchMessenger"}, "messenger", "Select a valid choice"),
        (
            {"messenger": "RecordingMessenger", "message_template": "NoSuchTemplate"},
            "message_template",
            "Select a valid choice",
        ),
        (
            {"messenger": "WebhookMessenger", "option__WebhookMessenger__url": "ftp://x"},
            "option__WebhookMessenger__url",
            "WebhookMessenger needs a 'url' option: an http:// or https:// URL.",
        ),
    ],
)
def test_backend_validation_errors_are_clear(client, staff, data, field, message):
    form = {"name": "", "messenger": "", "message_template": "", "key": ""}
    form.update(data)
    response = client.post(reverse("admin:django_signal_notifier_backend_add"), form)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors.get(field, []))


def test_backend_choices_come_from_the_registries_without_migrations(client, staff):
    page = client.get(reverse("admin:django_signal_notifier_backend_add")).content.decode()
    for name in (
        "SimplePrintMessengerTemplateBased",
        "InSiteMessenger",
        "RecordingMessenger",
        "SimplePrintMessageTemplate",
    ):
        assert f'value="{name}"' in page


def test_a_stored_unknown_signal_is_shown_not_hidden(client, staff):
    trigger = Trigger.objects.create(
        verb="gone_signal", action_object_content_type=ContentType.objects.get_for_model(TestModel1)
    )
    changelist = client.get(reverse("admin:django_signal_notifier_trigger_changelist")).content.decode()
    assert "signal &#x27;gone_signal&#x27; is not registered" in changelist
    change = client.get(reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])).content.decode()
    assert "gone_signal (not registered)" in change


def test_subscription_admin_uses_filter_horizontal_and_enable_disable_actions(client, staff):
    subscription = subscribe("post_save", Article, users=[user("alice")])
    page = client.get(
        reverse("admin:django_signal_notifier_subscription_change", args=[subscription.pk])
    ).content.decode()
    assert "selectfilter" in page.lower() or "SelectFilter" in page
    url = reverse("admin:django_signal_notifier_subscription_changelist")
    client.post(url, {"action": "disable", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.enabled is False
    client.post(url, {"action": "enable", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.enabled is True


def test_trigger_change_page_has_subscriptions_inline(client, staff):
    subscription = subscribe("post_save", Article, users=[user("alice")])
    page = client.get(
        reverse("admin:django_signal_notifier_trigger_change", args=[subscription.trigger_id])
    ).content.decode()
    assert "subscriptions-TOTAL_FORMS" in page
