"""Links in emails work in a mail client: absolute with SITE_URL, and a visible unsubscribe link."""

from __future__ import annotations

import pytest
from django.test import override_settings

from django_signal_notifier.delivery.unsubscribe import read_token
from django_signal_notifier.models import DeliveryStatus, Notification, Subscription

pytestmark = pytest.mark.django_db

SITE = {"SITE_URL": "https://example.test"}


def bodies(received):
    message = received.message
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_the_link_to_the_object_is_absolute_in_the_text_and_the_html(smtp_server, make_user, subscribe, publish):
    subscribe("EmailMessenger", [make_user()])

    [delivery] = publish("Engines")

    assert delivery.status == DeliveryStatus.SENT
    text, html = bodies(smtp_server.received[0])
    path = f"/articles/{delivery.event.action_object_id}/"
    assert f"https://example.test{path}" in text
    assert f'<a href="https://example.test{path}">' in html
    assert f'href="{path}"' not in html


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_an_email_that_can_be_turned_off_has_the_header_and_a_visible_link(smtp_server, make_user, subscribe, publish):
    user = make_user()
    subscribe("EmailMessenger", [user])

    publish("Engines")

    mail = smtp_server.received[0].message
    header = str(mail["List-Unsubscribe"]).strip()  # long: folded onto its own line
    assert header.startswith("<https://example.test/notifications/unsubscribe/")
    link = header[1:-1]
    text, html = bodies(smtp_server.received[0])
    assert f"Stop these emails: {link}" in text
    assert f'<a href="{link}"' in html and ">Unsubscribe</a>" in html
    assert html.index(link) < html.index("</body>")  # inside the document, not after it
    subscription = Subscription.objects.get(key="article-subscribers")
    found = read_token(link.rstrip("/").rsplit("/", 1)[-1])
    assert found is not None
    assert (found.user_id, found.subscription_id, found.channel) == (str(user.pk), subscription.pk, "EmailMessenger")


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_a_mandatory_email_has_no_unsubscribe_link(smtp_server, make_user, subscribe, publish):
    subscribe("EmailMessenger", [make_user()])
    Subscription.objects.filter(key="article-subscribers").update(mandatory=True)

    publish("Engines")

    mail = smtp_server.received[0].message
    text, html = bodies(smtp_server.received[0])
    assert mail["List-Unsubscribe"] is None
    assert "unsubscribe" not in text.lower() and "unsubscribe" not in html.lower()


def test_without_site_url_links_stay_as_the_site_wrote_them(smtp_server, make_user, subscribe, publish):
    subscribe("EmailMessenger", [make_user()])

    publish("Engines")

    text, html = bodies(smtp_server.received[0])
    assert "https://" not in text and "unsubscribe" not in text.lower()
    assert 'href="/articles/' in html


@override_settings(SIGNAL_NOTIFIER=SITE)
def test_the_inbox_keeps_links_on_the_site(make_user, subscribe, publish):
    subscribe("InSiteMessenger", [make_user()])

    publish("Engines")

    notification = Notification.objects.get()
    assert notification.url == f"/articles/{notification.action_object_id}/"
