"""The Backend form: a field per messenger option (label, help, required), checked by the messenger."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from django_signal_notifier.messengers.base import Messenger
from django_signal_notifier.messengers.options import Option
from django_signal_notifier.models import Backend

pytestmark = pytest.mark.django_db

ADD = "admin:django_signal_notifier_backend_add"


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def post(client: Any, **data: Any) -> Any:
    form = {"name": "", "messenger": "", "message_template": "", "key": "", **data}
    return client.post(reverse(ADD), form)


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, "saved, but it should have been refused"
    return dict(response.context["adminform"].form.errors)


def test_each_messenger_shows_its_options_with_label_and_help_not_raw_json(staff):
    page = staff.get(reverse(ADD)).content.decode()
    assert 'name="options"' not in page
    assert "Options of Slack" in page and "Options of Webhook (signed JSON)" in page
    assert 'name="option__SlackMessenger__webhook_url"' in page and "Incoming webhook URL" in page
    assert "The https://hooks.slack.com/… URL Slack gave for the webhook" in page
    assert 'name="option__WebhookMessenger__url"' in page and "Where each message is POSTed" in page
    assert 'type="checkbox" name="option__TelegramBotMessenger__disable_notification"' in page


def test_no_messenger_is_preselected(staff):
    page = staff.get(reverse(ADD)).content.decode()
    assert '<label class="required" for="id_messenger">Messenger:</label>' in page
    assert '<label for="id_message_template">Message template:</label>' in page
    select = page.split('name="messenger"', 1)[1].split("</select>", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="" selected>')
    assert "This field is required." in errors_of(post(staff))["messenger"]


def test_slack_with_no_options_is_refused_naming_the_missing_keys(staff):
    errors = errors_of(post(staff, messenger="SlackMessenger"))
    message = " ".join(errors["option__SlackMessenger__webhook_url"])
    assert "Missing option 'webhook_url' or 'channel'" in message
    assert not Backend.objects.exists()


def test_a_required_option_is_named_when_missing(staff):
    errors = errors_of(post(staff, messenger="WebhookMessenger"))
    assert errors["option__WebhookMessenger__url"] == [
        "options: Missing option(s) for WebhookMessenger: 'url' (Where each message is POSTed: an http:// or "
        "https:// URL.)."
    ]


def test_only_the_chosen_messengers_fields_become_its_options(staff):
    response = post(
        staff,
        name="hook",
        messenger="WebhookMessenger",
        option__WebhookMessenger__url="https://example.test/hook",
        option__WebhookMessenger__secret="s" * 20,
        option__WebhookMessenger__headers='{"X-Team": "blue"}',
        option__SlackMessenger__channel="#ignored",  # another messenger's field: not this backend's
    )
    assert response.status_code == 302, errors_of(response)
    assert Backend.objects.get(name="hook").options == {
        "url": "https://example.test/hook",
        "secret": "s" * 20,
        "headers": {"X-Team": "blue"},
    }


def test_flags_and_lists_are_stored_as_their_types(staff):
    response = post(
        staff,
        name="tg",
        messenger="TelegramBotMessenger",
        option__TelegramBotMessenger__chat_id="@news",
        option__TelegramBotMessenger__disable_notification="on",
    )
    assert response.status_code == 302, errors_of(response)
    assert Backend.objects.get(name="tg").options == {"chat_id": "@news", "disable_notification": True}
    response = post(
        staff,
        name="mail",
        messenger="EmailMessenger",
        option__EmailMessenger__reply_to="a@example.test\n\n b@example.test ",
    )
    assert response.status_code == 302, errors_of(response)
    assert Backend.objects.get(name="mail").options == {"reply_to": ["a@example.test", "b@example.test"]}


def test_bad_json_in_an_option_is_shown_on_that_option(staff):
    errors = errors_of(
        post(
            staff,
            messenger="WebhookMessenger",
            option__WebhookMessenger__url="https://example.test/",
            option__WebhookMessenger__headers="{not json",
        )
    )
    assert errors["option__WebhookMessenger__headers"] == ["Enter a valid JSON."]


def test_the_change_page_shows_the_stored_options_in_their_fields(staff):
    backend = Backend.objects.create(
        messenger="EmailMessenger", options={"from_email": "news@example.test", "reply_to": ["a@x.test", "b@x.test"]}
    )
    page = staff.get(reverse("admin:django_signal_notifier_backend_change", args=[backend.pk])).content.decode()
    assert 'name="option__EmailMessenger__from_email" value="news@example.test"' in page
    assert "a@x.test\nb@x.test</textarea>" in page
    response = staff.post(
        reverse("admin:django_signal_notifier_backend_change", args=[backend.pk]),
        {
            "name": "",
            "messenger": "EmailMessenger",
            "message_template": "",
            "key": "",
            "option__EmailMessenger__from_email": "news@example.test",
            "option__EmailMessenger__reply_to": "a@x.test\nb@x.test",
        },
    )
    assert response.status_code == 302, errors_of(response)
    backend.refresh_from_db()
    assert backend.options == {"from_email": "news@example.test", "reply_to": ["a@x.test", "b@x.test"]}


def test_the_base_template_of_0_2_1_is_not_offered_but_still_shown_where_used(staff):
    page = staff.get(reverse(ADD)).content.decode()
    assert 'value="BaseMessageTemplate"' not in page
    assert 'value="SimplePrintMessageTemplate"' in page
    backend = Backend.objects.create(messenger="SimplePrintMessenger", message_template="BaseMessageTemplate")
    page = staff.get(reverse("admin:django_signal_notifier_backend_change", args=[backend.pk])).content.decode()
    assert 'value="BaseMessageTemplate" selected' in page


def test_a_backend_add_link_can_preselect_a_template(staff):
    page = staff.get(reverse(ADD), {"message_template": "SimplePrintMessageTemplate"}).content.decode()
    assert 'value="SimplePrintMessageTemplate" selected' in page


class _Pager(Messenger):
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option("number", "Pager number", "Digits only.", required=True),
        Option("urgent", kind="flag"),
    )


class _Legacy(Messenger):
    option_names = ("room",)


def test_option_metadata_drives_validation_and_names():
    assert _Pager.option_names == ("number", "urgent")
    with pytest.raises(ValidationError, match=r"Missing option\(s\) for _Pager: 'number' \(Digits only.\)"):
        _Pager.validate_options({"urgent": True})
    _Pager.validate_options({"number": "555"})
    assert [(o.name, o.title, o.kind) for o in _Legacy.describe_options()] == [("room", "Room", "text")]
    with pytest.raises(ValueError, match="kind must be one of"):
        Option("x", kind="colour")
