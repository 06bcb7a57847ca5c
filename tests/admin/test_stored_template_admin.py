"""The stored template admin: readable help and errors, and a test send that says where it went."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.models import StoredTemplate, Trigger
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

ADD = "/admin/django_signal_notifier/storedtemplate/add/"


def test_the_name_help_says_how_backends_name_the_template(admin_client: Any) -> None:
    page = admin_client.get(ADD).content.decode()
    assert "Backends name this template db: followed by this name, e.g. db:comment-mail." in page
    assert '<textarea name="subject" cols="40" rows="2"' in page  # one line, not a ten-row box


def test_a_refused_tag_is_named_once_with_its_line(admin_client: Any) -> None:
    response = admin_client.post(ADD, {"name": "x", "subject": "ok", "text": "one\n{% load static %}"})
    errors = response.context["adminform"].form.errors["text"]
    assert errors == ["Line 2: {% load %} is not allowed in stored templates."]


def test_without_a_backend_the_test_send_offers_to_create_one(admin_client: Any) -> None:
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    article = Article.objects.create(title="Previewed")
    record = StoredTemplate.objects.create(name="note", subject="{{ instance }}")
    response = admin_client.post(
        f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/",
        {"trigger": trigger.pk, "object_id": article.pk, "send_test": "1"},
    )
    page = response.content.decode()
    assert "No backend uses this template yet." in page
    link = "/admin/django_signal_notifier/backend/add/?message_template=db%3Anote&amp;name=note"
    assert f'<a href="{link}">Create a backend with this template</a>' in page
    form = admin_client.get(link.replace("&amp;", "&")).content.decode()
    assert '<option value="db:note" selected>' in form
