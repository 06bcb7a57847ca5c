"""Stored templates cannot reach secrets or cause side effects; code templates get a snapshot without secrets."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from django_signal_notifier.models import Delivery, DeliveryStatus, StoredTemplate
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

READS = {
    "password hash": "{{ recipient.password }}{{ user.password }}{{ instance.author.password }}{{ actor.password }}",
    "settings": "{{ settings.SECRET_KEY }}{{ settings }}",
    "request": "{{ request.session }}{{ request.COOKIES }}",
    "methods": "{{ instance.delete }}{{ recipient.set_password }}{{ recipient.delete }}{{ instance.save }}",
    "managers": "{{ recipient.user_permissions.all }}{{ instance.tags.all.delete }}{{ recipient.groups.all }}",
    "csrf and perms": "{{ csrf_token }}{{ perms }}{{ recipient.get_all_permissions }}",
}
REFUSED_AT_COMPILE = {
    "load": "{% load static %}x",
    "include": '{% include "admin/base.html" %}',
    "extends": '{% extends "admin/base.html" %}',
    "debug": "{% debug %}",
    "private attribute": "{{ instance._meta.db_table }}",
    "url": "{% url 'admin:index' %}",
}


@pytest.fixture
def people() -> dict[str, Any]:
    User = get_user_model()
    author = User.objects.create_user("author", "author@example.org", "author-password")
    reader = User.objects.create_user("reader", "reader@example.org", "reader-password")
    return {"author": author, "reader": reader}


@pytest.mark.parametrize("name", sorted(READS))
def test_a_template_reads_no_secret_and_changes_nothing(name, people, django_capture_on_commit_callbacks, recorded):
    body = READS[name]
    StoredTemplate.objects.create(name="probe", subject="probe", text=f"[{body}]", html=f"<p>[{body}]</p>")
    subscribe("post_save", Article, users=[people["reader"]], template="db:probe")
    hashes = {u.pk: u.password for u in get_user_model().objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(title="probe", author=people["author"])
    [message] = recorded
    assert message.text == "[]", message.text  # every one of those names renders as nothing
    assert "[]" in message.html
    everything = message.text + message.html + str(Delivery.objects.get().content)
    for secret in (settings.SECRET_KEY, *hashes.values(), "author-password", "reader-password"):
        assert secret not in everything
    assert Article.objects.filter(pk=article.pk).exists()
    assert {u.pk: u.password for u in get_user_model().objects.all()} == hashes


@pytest.mark.parametrize("name", sorted(REFUSED_AT_COMPILE))
def test_dangerous_tags_are_refused_with_a_template_error(name, people, django_capture_on_commit_callbacks, recorded):
    StoredTemplate.objects.create(name="probe", subject="probe", text=REFUSED_AT_COMPILE[name])
    subscribe("post_save", Article, users=[people["reader"]], template="db:probe")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="probe")
    assert recorded == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error.startswith("template error:")
    assert settings.SECRET_KEY not in delivery.last_error
