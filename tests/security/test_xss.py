"""Stored XSS: payloads in the verb, the object, the target, the actor's username and template
variables never reach an HTML page or an email's HTML part unescaped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.dispatch import Signal
from django.test import Client
from django.utils.html import escape

from django_signal_notifier import register_signal
from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.models import Delivery, Event, Notification, StoredTemplate
from tests.security.conftest import XSS_PAYLOADS
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

SCRIPT, IMG = XSS_PAYLOADS
XSS_VERB = f"xss{SCRIPT}"
xss_signal = register_signal(XSS_VERB, Signal())


def raw_in(text: str) -> list[str]:
    return [payload for payload in XSS_PAYLOADS if payload in text]


@pytest.fixture
def attack(django_capture_on_commit_callbacks: Any, settings: Any) -> dict[str, Any]:
    """Payloads everywhere a value reaches a message: the event goes to the inbox, email and a stored template."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User = get_user_model()
    victim = User.objects.create_user("victim", "victim@example.org", "pw")
    attacker = User.objects.create_user(IMG, "attacker@example.org", "pw")  # the username is a payload
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    StoredTemplate.objects.create(
        name="xss",
        subject="{{ note }} {{ instance.title }}",
        text="{{ note }} {{ instance.title }} {{ actor }} {{ target }}",
        html="<p>{{ note }}</p><p>{{ instance.title }}</p><p>{{ actor }}</p><p>{{ target }}</p><p>{{ verb }}</p>",
    )
    for messenger, template in (("InSiteMessenger", ""), ("EmailMessenger", ""), ("EmailMessenger", "db:xss")):
        subscribe(XSS_VERB, None, users=[victim], messenger=messenger, template=template)
    subscribe("post_save", Article, users=[victim], messenger="InSiteMessenger")
    with django_capture_on_commit_callbacks(execute=True), acting_as(attacker):
        article = Article.objects.create(title=SCRIPT)
        target = Article.objects.create(title=IMG)
        xss_signal.send(sender=Article, instance=article, target=target, note=SCRIPT)
    return {"victim": victim, "attacker": attacker, "admin": admin}


def test_the_payloads_were_delivered(attack):
    assert Notification.objects.filter(recipient=attack["victim"]).count() == 3
    assert len(mail.outbox) == 2
    assert Event.objects.filter(verb=XSS_VERB).count() == 1


def test_email_html_parts_escape_every_payload(attack):
    for message in mail.outbox:
        [(html, mimetype)] = message.alternatives
        assert mimetype == "text/html"
        assert raw_in(html) == [], html
        assert escape(SCRIPT) in html


def test_the_inbox_page_escapes_every_payload(attack):
    client = Client()
    client.force_login(attack["victim"])
    page = client.get("/inbox/").content.decode()
    assert raw_in(page) == []
    assert escape(SCRIPT) in page and escape(IMG) in page


def test_the_inbox_json_is_data_never_html(attack):
    client = Client()
    client.force_login(attack["victim"])
    response = client.get("/inbox/api/notifications/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"  # a browser never sniffs it as HTML
    titles = [n["title"] for n in json.loads(response.content)["results"]]
    assert any(SCRIPT in t for t in titles)  # the text as typed, for the client to insert as text


@pytest.mark.parametrize("model", ["notification", "delivery", "event", "trigger", "subscription", "backend"])
def test_the_admin_changelist_and_change_pages_escape_every_payload(attack, model):
    client = Client()
    client.force_login(attack["admin"])
    changelist = client.get(f"/admin/django_signal_notifier/{model}/")
    assert changelist.status_code == 200
    assert raw_in(changelist.content.decode()) == []
    from django.apps import apps

    obj = apps.get_model("django_signal_notifier", model).objects.order_by("pk").last()
    if obj is None:
        pytest.skip(f"no {model} rows in this scenario")  # pragma: no cover - every model has rows here
    change = client.get(f"/admin/django_signal_notifier/{model}/{obj.pk}/change/")
    assert change.status_code == 200
    assert raw_in(change.content.decode()) == []


def test_the_stored_template_preview_escapes_every_payload(attack):
    client = Client()
    client.force_login(attack["admin"])
    record = StoredTemplate.objects.get(name="xss")
    page = client.get(f"/admin/django_signal_notifier/storedtemplate/{record.pk}/change/")
    assert page.status_code == 200
    assert raw_in(page.content.decode()) == []


def test_the_delivery_log_keeps_the_text_and_the_html_escaped(attack):
    for delivery in Delivery.objects.filter(channel="EmailMessenger"):
        assert raw_in(delivery.content.get("html", "")) == []
