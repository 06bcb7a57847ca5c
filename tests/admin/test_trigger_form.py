"""The Trigger and Subscription forms: nothing preselected, only the project's models, conditions as rows,
and the same diagnosis as the CLI after saving."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Subscription, Trigger
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

ADD = "admin:django_signal_notifier_trigger_add"


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def trigger_form(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "",
        "verb": "post_save",
        "action_object_content_type": str(ContentType.objects.get_for_model(Article).pk),
        "action_object_id": "",
        "actor_object_content_type": "",
        "actor_object_id": "",
        "target": "",
        "enabled": "on",
        "key": "",
        "conditions-rows": "0",
        "subscriptions-TOTAL_FORMS": "0",
        "subscriptions-INITIAL_FORMS": "0",
        **overrides,
    }


def select_options(page: str, name: str) -> list[str]:
    select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [part.split(">", 1)[1].split("<", 1)[0] for part in select.split("<option")[1:]]


def test_no_signal_is_preselected(staff):
    page = staff.get(reverse(ADD)).content.decode()
    assert '<label class="required" for="id_verb">Signal:</label>' in page
    select = page.split('name="verb"', 1)[1].split("</select>", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="" selected>')
    response = staff.post(reverse(ADD), trigger_form(verb=""))
    assert response.context["adminform"].form.errors["verb"] == ["This field is required."]


def test_sender_and_actor_lists_hold_only_the_projects_models(staff):
    page = staff.get(reverse(ADD)).content.decode()
    for name in ("action_object_content_type", "actor_object_content_type"):
        labels = select_options(page, name)
        assert "any model" in labels[0]
        assert "Testapp | article" in labels and "Authentication and Authorization | user" in labels
        assert "Signal notifier quickstart | test model1" in labels
        for noise in ("session", "log entry", "permission", "content type", "| delivery", "| trigger", "config stamp"):
            assert not any(noise in label for label in labels), (noise, labels)


def test_a_trigger_on_a_model_outside_the_list_keeps_showing_it(staff):
    content_type = ContentType.objects.get_for_model(Delivery)
    trigger = Trigger.objects.create(verb="post_save", action_object_content_type=content_type)
    page = staff.get(reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])).content.decode()
    assert f'<option value="{content_type.pk}" selected>' in page


def test_conditions_are_typed_as_rows_and_stored_as_data(staff):
    rows = {
        "conditions-rows": "4",
        **{"conditions-0-field": "", "conditions-0-op": "created", "conditions-0-value": ""},
        **{"conditions-1-field": "status", "conditions-1-op": "changed_to", "conditions-1-value": "published"},
        **{"conditions-2-field": "", "conditions-2-op": "", "conditions-2-value": ""},  # an empty row
        **{"conditions-3-field": "status", "conditions-3-op": "in", "conditions-3-value": '["draft", "published"]'},
    }
    response = staff.post(reverse(ADD), trigger_form(name="typed", **rows))
    assert response.status_code == 302, response.context["adminform"].form.errors
    trigger = Trigger.objects.get(name="typed")
    assert trigger.conditions == [
        {"op": "created"},
        {"field": "status", "op": "changed_to", "value": "published"},
        {"field": "status", "op": "in", "value": ["draft", "published"]},
    ]
    page = staff.get(reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])).content.decode()
    assert 'name="conditions-1-field" value="status"' in page
    assert 'name="conditions-1-value" value="published"' in page
    assert 'name="conditions-2-value" value="[&quot;draft&quot;, &quot;published&quot;]"' in page
    assert 'value="changed_to" selected' in page
    assert '<option value="title">' in page  # the sender model's fields are suggested


def test_a_condition_row_without_operator_is_refused(staff):
    rows = {"conditions-rows": "1", "conditions-0-field": "status", "conditions-0-op": "", "conditions-0-value": "x"}
    response = staff.post(reverse(ADD), trigger_form(**rows))
    assert response.context["adminform"].form.errors["conditions"] == ["Condition 1: choose an operator."]


def test_condition_values_keep_their_type_when_shown_again():
    from django_signal_notifier.admin.conditions_builder import value_as_text, value_from_text

    for value in ("published", "3", "true", "", 3, 2.5, True, None, ["a", 1]):
        assert value_from_text(value_as_text(value)) == value, value


def test_the_trigger_page_shows_counts_and_recent_failures(staff):
    subscription = subscribe("post_save", Article, users=[user("alice")])
    trigger = subscription.trigger
    event = Event.objects.create(verb="post_save")
    for status, error in [(DeliveryStatus.SENT, ""), (DeliveryStatus.DEAD, "550 no such mailbox: alice@example.test")]:
        Delivery.objects.create(
            event=event,
            trigger=trigger,
            channel="EmailMessenger",
            recipient=User.objects.get(username="alice"),
            status=status,
            last_error=error,
            sent_to="alice@example.test",
        )
    page = staff.get(reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])).content.decode()
    assert "Recent failures" in page
    assert "550 no such mailbox: alice@example.test" in page
    assert "All failures of this trigger" in page
    assert f"trigger__id__exact={trigger.pk}&amp;status__exact=sent" in page


def test_the_trigger_list_filters_by_the_models_that_have_triggers_only(staff):
    subscribe("post_save", Article, users=[user("alice")])
    page = staff.get(reverse("admin:django_signal_notifier_trigger_changelist")).content.decode()
    filters = page.split('id="changelist-filter"', 1)[1]
    assert "article" in filters and "session" not in filters and "log entry" not in filters


def test_saving_a_subscription_without_receivers_warns_like_the_cli(staff):
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    backend = Backend.objects.create(messenger="InSiteMessenger")
    response = staff.post(
        reverse("admin:django_signal_notifier_subscription_add"),
        {
            "name": "nobody",
            "trigger": trigger.pk,
            "backends": [backend.pk],
            "enabled": "on",
            "receiver_field_paths": "[]",
            "receiver_callable": "",
            "digest_seconds": "0",
            "digest_template": "",
            "throttle_seconds": "0",
            "group_by": "verb_object",
            "key": "",
        },
        follow=True,
    )
    texts = [str(message) for message in response.context["messages"]]
    assert (
        "Saved, but: no receivers. Choose users or groups, or give receiver field paths or a receiver callable."
        in texts
    )
    changelist = staff.get(reverse("admin:django_signal_notifier_trigger_changelist")).content.decode()
    assert f"subscription {Subscription.objects.get().pk}: no receivers" in changelist


def test_the_digest_template_is_a_select_of_registered_templates(staff):
    page = staff.get(reverse("admin:django_signal_notifier_subscription_add")).content.decode()
    labels = select_options(page, "digest_template")
    assert labels[0] == "DigestMessageTemplate (the default)"
    assert 'name="digest_template"' in page and 'value="DigestMessageTemplate"' in page


def test_the_subscription_form_starts_with_name_trigger_and_backends(staff):
    Group.objects.create(name="editors")
    page = staff.get(reverse("admin:django_signal_notifier_subscription_add")).content.decode()
    assert page.index('name="name"') < page.index('name="trigger"') < page.index('name="receiver_users"')
    assert page.index('name="receiver_users"') < page.index('name="key"')


def test_the_subscription_form_sets_the_inbox_grouping_and_refuses_a_bad_key(staff):
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    backend = Backend.objects.create(messenger="InSiteMessenger")
    form = {
        "name": "grouped",
        "trigger": trigger.pk,
        "backends": [backend.pk],
        "enabled": "on",
        "receiver_field_paths": "[]",
        "digest_seconds": "0",
        "throttle_seconds": "0",
        "group_by": "custom",
        "group_key_template": "{verb}:{colour}",
    }
    url = reverse("admin:django_signal_notifier_subscription_add")
    refused = staff.post(url, form).content.decode()
    assert "Unknown field {colour} in the group key template" in refused
    assert not Subscription.objects.exists()
    staff.post(url, {**form, "group_key_template": "{verb}:{target}"})
    assert Subscription.objects.get().group_key_template == "{verb}:{target}"
