"""Stored message templates: validation, the sandbox, db:<name> backends, preview and test send."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from django_signal_notifier.models import (
    Backend,
    Delivery,
    DeliveryStatus,
    Event,
    Notification,
    StoredTemplate,
    Trigger,
)
from django_signal_notifier.rendering.registry import template_registry
from tests.support.whomwhat import configure
from tests.testapp.models import Article, Comment

pytestmark = pytest.mark.django_db

ATTACKS = (
    "[{{ recipient.password }}][{{ user.password }}][{{ instance.delete }}][{{ settings.SECRET_KEY }}]"
    "[{{ instance.author.password }}][{{ recipient.delete }}][{{ instance.comments.all.delete }}]"
    "[{{ instance.followers.clear }}][{{ recipient.set_password }}][{{ recipient.save }}][{{ context }}]"
    "[{{ instance.author.followed_articles.all.delete }}][{{ request }}][{{ perms }}]"
)


def stored(name: str = "note", **parts: Any) -> StoredTemplate:
    parts.setdefault("subject", "{{ instance }}")
    record = StoredTemplate(name=name, **parts)
    record.full_clean()
    record.save()
    return record


def test_syntax_errors_are_shown_with_their_line() -> None:
    record = StoredTemplate(name="bad", subject="ok", text="Hello\n{% if %}\n")
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert caught.value.message_dict["text"][0].startswith("Line 2:")


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("{% load static %}", "load"),
        ('{% include "admin/base.html" %}', "include"),
        ('{% extends "admin/base.html" %}', "extends"),
        ("{% debug %}", "debug"),
        ("{% csrf_token %}", "csrf_token"),
        ('{% url "admin:index" %}', "url"),
        ("{% lorem 99999 w %}", "lorem"),
    ],
)
def test_dangerous_tags_are_refused(source: str, tag: str) -> None:
    record = StoredTemplate(name="bad", text=f"first line\n{source}")
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    message = caught.value.message_dict["text"][0]
    assert message == f"Line 2: {{% {tag} %}} is not allowed in stored templates."


def test_padding_filters_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        StoredTemplate(name="bad", subject='{{ instance|ljust:"999999999" }}').full_clean()
    assert "Line 1:" in caught.value.message_dict["subject"][0] and "ljust" in caught.value.message_dict["subject"][0]


def test_private_attributes_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        StoredTemplate(name="bad", html="{{ instance._meta }}").full_clean()
    assert "underscore" in caught.value.message_dict["html"][0]


def test_an_empty_template_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        StoredTemplate(name="empty").full_clean()
    assert "at least a subject" in caught.value.message_dict["text"][0]


def test_sandbox_attacks_render_nothing_and_change_nothing(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader", password="hunter2")
    author = User.objects.create_user("author", password="secret-pass")
    stored(
        subject="{{ instance.title }} by {{ instance.author.username }}",
        text="Hi {{ recipient.username }} (" + ATTACKS + ") {{ instance|pprint }} {{ recipient.pk }}",
        html="<p>{{ instance.title }}</p>" + ATTACKS,
    )
    configure(Article, template="db:note", users=[reader])
    article = Article.objects.create(title="Plain", author=author)
    Comment.objects.create(article=article, text="keep me")
    article.followers.add(reader)
    with run_on_commit():
        article.save()
    note = Notification.objects.get()
    assert note.title == "Plain by author"
    empty = "[]" * 14
    assert note.body == f"Hi reader ({empty}) <Plain> {reader.pk}"
    # Nothing was deleted, cleared or changed.
    assert Article.objects.filter(pk=article.pk).exists() and Comment.objects.count() == 1
    assert list(article.followers.all()) == [reader]
    reader.refresh_from_db()
    assert reader.check_password("hunter2") and User.objects.count() == 2
    # No password hash anywhere in what was stored.
    # (the article's creation above wrote an Event row too: the outbox writes it in the sender's transaction)
    assert "md5$" not in note.body and "md5$" not in str(list(Event.objects.values_list("snapshot", flat=True)))


def test_a_backend_uses_a_stored_template_and_code_templates_keep_working(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader")
    stored(
        subject="New: {{ instance.title }} ({{ verb }}, {{ action }})", text="{{ instance_type }} {{ instance_url }}"
    )
    configure(Article, template="db:note", users=[reader])
    configure(Article, users=[reader], messenger="InSiteMessenger", template="DefaultMessageTemplate")
    with run_on_commit():
        Article.objects.create(title="Hello")
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert titles == ["New: Hello (post_save, created)", "created article “Hello”"]
    assert Notification.objects.get(title__startswith="New").body == "article /articles/1/".replace(
        "1", str(Article.objects.get().pk)
    )


def test_an_edit_takes_effect_at_once(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader")
    record = stored(subject="v1 {{ instance }}")
    configure(Article, template="db:note", users=[reader])
    with run_on_commit():
        article = Article.objects.create(title="A")
    record.subject = "v2 {{ instance }}"
    record.full_clean()
    record.save()
    with run_on_commit():
        article.save()
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["v1 A", "v2 A"]


def test_backend_validation_knows_stored_templates() -> None:
    stored()
    Backend(messenger="InSiteMessenger", message_template="db:note").full_clean()
    with pytest.raises(ValidationError) as caught:
        Backend(messenger="InSiteMessenger", message_template="db:missing").full_clean()
    assert "db:missing" in caught.value.message_dict["message_template"][0]
    assert ("db:note", "note (stored)") in template_registry.choices()


def test_a_template_broken_behind_the_admins_back_never_breaks_save(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader")
    stored()
    StoredTemplate.objects.filter(name="note").update(text="{% if %}")  # bypasses validation
    configure(Article, template="db:note", users=[reader], messenger="SimplePrintMessengerTemplateBased")
    with run_on_commit():
        Article.objects.create(title="A")
    dead = Delivery.objects.get()
    assert dead.status == DeliveryStatus.DEAD and "template error" in dead.last_error


def _preview_setup() -> tuple[Trigger, Article, StoredTemplate]:
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    article = Article.objects.create(title="Previewed")
    record = stored(
        subject="About {{ instance.title }}", text="Dear {{ recipient.username }}", html="<b>{{ instance }}</b>"
    )
    return trigger, article, record


def test_admin_change_form_shows_syntax_errors(admin_client: Any) -> None:
    response = admin_client.post(
        "/admin/django_signal_notifier/storedtemplate/add/",
        {"name": "x", "subject": "ok", "text": "one\ntwo\n{% load static %}", "html": "", "url": ""},
    )
    assert response.status_code == 200
    assert "Line 3:" in response.content.decode()
    assert not StoredTemplate.objects.exists()


def test_admin_preview_against_a_real_object(admin_client: Any, admin_user: Any) -> None:
    trigger, article, record = _preview_setup()
    url = f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/"
    page = admin_client.get(url).content.decode()
    assert "About {{ instance.title }}" in page  # the form starts with the stored parts
    response = admin_client.post(
        url,
        {
            "trigger": trigger.pk,
            "object_id": article.pk,
            "subject": record.subject,
            "text": "Draft for {{ recipient.username }}: {{ recipient.password }}",
            "html": record.html,
            "preview": "1",
        },
    )
    page = response.content.decode()
    assert '<span id="preview-subject">About Previewed</span>' in page
    assert f"Draft for {admin_user.username}:</pre>" in page  # the unsaved draft, sandboxed
    assert "&lt;b&gt;Previewed&lt;/b&gt;" in page  # the HTML part, in a sandboxed iframe
    missing = admin_client.post(url, {"trigger": trigger.pk, "object_id": "999999", "text": "x", "preview": "1"})
    assert "No article with primary key 999999 exists." in missing.content.decode()
    broken = admin_client.post(
        url, {"trigger": trigger.pk, "object_id": article.pk, "text": "a\n{% include 'x' %}", "preview": "1"}
    )
    assert "Line 2:" in broken.content.decode()


def test_admin_send_a_test_to_me(
    admin_client: Any, admin_user: Any, capsys: Any, django_capture_on_commit_callbacks: Any
) -> None:
    trigger, article, record = _preview_setup()
    backend = Backend.objects.create(messenger="SimplePrintMessengerTemplateBased", message_template="db:note")
    url = f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"trigger": trigger.pk, "object_id": article.pk, "backend": backend.pk, "send_test": "1"}, follow=True
        )
    # Inside the test's transaction the delivery is sent when it commits, after the response.
    delivery = Delivery.objects.get()
    link = f'<a href="/admin/django_signal_notifier/delivery/{delivery.pk}/change/">delivery #{delivery.pk}</a>'
    assert f"Test to you: queued; the task worker sends it ({link})." in response.content.decode()
    assert delivery.recipient_id == admin_user.pk and delivery.status == DeliveryStatus.SENT
    assert delivery.content["subject"] == "About Previewed" and delivery.subscription_id is None
    assert f"Dear {admin_user.username}" in capsys.readouterr().out
    assert Event.objects.get().snapshot["extra"] == {"test_send": True}
    no_backend = admin_client.post(url, {"trigger": trigger.pk, "object_id": article.pk, "send_test": "1"})
    assert "Choose a backend that uses this template" in no_backend.content.decode()


def test_a_change_seen_only_through_the_version_stamp_reloads_the_template(run_on_commit: Any) -> None:
    from django_signal_notifier.rendering import stored as stored_module

    reader = User.objects.create_user("reader")
    stored(subject="v1 {{ instance }}")
    configure(Article, template="db:note", users=[reader])
    with run_on_commit():
        article = Article.objects.create(title="A")
    cached_version = stored_module._cache["note"][0]
    # Another process edits the row: this process only sees the ConfigStamp move.
    StoredTemplate.objects.filter(name="note").update(subject="v2 {{ instance }}")
    assert stored_module._cache["note"][0] == cached_version  # not forgotten locally
    with run_on_commit():
        article.save()
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["v1 A", "v2 A"]


@pytest.mark.django_db(transaction=True)
def test_send_a_test_outside_a_transaction_reports_sent(client: Any, capsys: Any) -> None:
    admin = User.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(admin)
    trigger, article, record = _preview_setup()
    backend = Backend.objects.create(messenger="SimplePrintMessengerTemplateBased", message_template="db:note")
    response = client.post(
        f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/",
        {"trigger": trigger.pk, "object_id": article.pk, "backend": backend.pk, "send_test": "1"},
    )
    delivery = Delivery.objects.get()
    link = f'<a href="/admin/django_signal_notifier/delivery/{delivery.pk}/change/">delivery #{delivery.pk}</a>'
    assert f"Test to you (boss): sent ({link})." in response.content.decode()
    assert delivery.sent_to == "boss"
    assert "Dear boss" in capsys.readouterr().out


def test_preview_needs_permission_to_view_the_object(client: Any) -> None:
    from django.contrib.auth.models import Permission

    trigger, article, record = _preview_setup()
    editor = User.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_storedtemplate", "change_storedtemplate"])
    )
    client.force_login(editor)
    url = f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/"
    assert client.get(url).status_code == 200
    data = {"trigger": trigger.pk, "object_id": article.pk, "text": "{{ instance.body }}", "preview": "1"}
    assert client.post(url, data).status_code == 403  # may not read articles
    editor.user_permissions.add(Permission.objects.get(codename="view_article", content_type__app_label="testapp"))
    editor = User.objects.get(pk=editor.pk)  # drop the permission cache
    client.force_login(editor)
    assert client.post(url, data).status_code == 200


def test_looping_over_an_object_renders_nothing(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader")
    stored(subject="[{% for x in instance %}{{ x }}{% endfor %}][{{ instance.0 }}]{{ instance.title }}")
    configure(Article, template="db:note", users=[reader])
    with run_on_commit():
        Article.objects.create(title="T")
    assert Notification.objects.get().title == "[][]T"


def test_send_a_test_to_the_in_site_inbox(admin_client: Any, admin_user: Any) -> None:
    trigger, article, record = _preview_setup()
    backend = Backend.objects.create(messenger="InSiteMessenger", message_template="db:note")
    response = admin_client.post(
        f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/",
        {"trigger": trigger.pk, "object_id": article.pk, "backend": backend.pk, "send_test": "1"},
    )
    assert "Test written to your in-site inbox." in response.content.decode()
    note = Notification.objects.get()
    assert note.recipient_id == admin_user.pk and note.title == "About Previewed" and note.body == "Dear admin"
