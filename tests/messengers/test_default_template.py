"""A Backend with a messenger and no message_template renders the messenger's default template."""

from __future__ import annotations

import pytest

from django_signal_notifier.messengers import EmailMessenger, Message, Messenger, messenger_registry
from django_signal_notifier.models import DeliveryStatus
from django_signal_notifier.rendering import MessageTemplate, template_registry

pytestmark = pytest.mark.django_db
SENT: list[Message] = []


class ShoutTemplate(MessageTemplate):
    subject = "SHOUT {{ instance|upper }}"
    template_string = "{{ recipient.username }} must know: {{ instance }}"


class ShoutMessenger(Messenger):
    default_template = "ShoutTemplate"

    def send_message(self, message: Message) -> None:
        SENT.append(message)


@pytest.fixture(autouse=True)
def registered():
    template_registry.register(ShoutTemplate)
    messenger_registry.register(ShoutMessenger)
    SENT.clear()
    yield
    template_registry._classes.pop("ShoutTemplate", None)
    messenger_registry._classes.pop("ShoutMessenger", None)


def test_the_messengers_default_template_is_rendered(make_user, subscribe, publish):
    user = make_user(username="zoe")
    backend = subscribe("ShoutMessenger", [user])
    assert backend.message_template == ""

    [delivery] = publish("quiet news")

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.content["subject"] == "SHOUT QUIET NEWS"
    [message] = SENT
    assert (message.subject, message.text) == ("SHOUT QUIET NEWS", "zoe must know: quiet news")


def test_a_named_template_wins_over_the_default(make_user, subscribe, publish):
    subscribe("ShoutMessenger", [make_user()], template="BaseMessageTemplate")
    publish("quiet news")
    assert [m.text for m in SENT] == ["post_save: quiet news"]


def test_email_default_template_end_to_end(smtp_server, make_user, subscribe, publish):
    assert EmailMessenger.default_template == "EmailMessageTemplate"
    subscribe("EmailMessenger", [make_user(username="ivy")])

    [delivery] = publish("Spring sale")

    assert delivery.status == DeliveryStatus.SENT
    mail = smtp_server.received[0].message
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hello ivy,\n\ncreated article “Spring sale”.\n")
    assert "<p>Hello ivy,</p>" in mail.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    "name", ["TelegramBotMessenger", "SlackMessenger", "WebhookMessenger", "TwilioSMSMessenger", "AppriseMessenger"]
)
def test_every_channel_names_a_registered_default_template(name):
    messenger = messenger_registry.get(name)
    assert messenger is not None
    assert template_registry.get(messenger.default_template or "") is not None
