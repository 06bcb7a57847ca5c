"""Rows declared in code say so in the admin, and the fields their declaration sets are read-only there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from django_signal_notifier import declare
from django_signal_notifier.models import Backend, Subscription, Trigger
from tests.support.factories import user

pytestmark = pytest.mark.django_db


def declarations(d: declare.Declarer) -> None:
    article = d.trigger("article-saved", verb="post_save", model="testapp.Article", name="An article was saved")
    inbox = d.backend("inbox", messenger="InSiteMessenger", name="Inbox")
    d.subscription("article-to-alice", trigger=article, backends=[inbox], users=["alice"], exclude_actor=True)


@pytest.fixture
def declared() -> Iterator[None]:
    user("alice")
    declare.on_sync(declarations)
    try:
        declare.sync()
        yield
    finally:
        declare._hooks.remove(declarations)


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def test_sync_records_the_fields_each_declaration_sets(declared):
    assert Trigger.objects.get().declared_fields == [
        "action_object_content_type",
        "action_object_id",
        "actor_object_content_type",
        "actor_object_id",
        "enabled",
        "key",
        "name",
        "target",
        "verb",
    ]
    assert Backend.objects.get().declared_fields == ["key", "message_template", "messenger", "name", "options"]
    assert Subscription.objects.get().declared_fields == [
        "backends",
        "enabled",
        "exclude_actor",
        "key",
        "name",
        "receiver_groups",
        "receiver_users",
        "trigger",
    ]


def test_the_change_page_says_declared_in_code_and_locks_the_declared_fields(declared, staff):
    trigger = Trigger.objects.get()
    url = reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])
    page = staff.get(url).content.decode()
    assert "Declared in code" in page and "<code>article-saved</code>" in page
    assert 'name="verb"' not in page and 'name="name"' not in page
    assert 'name="conditions-rows"' in page  # not declared: still editable
    form = {
        "verb": "post_delete",
        "name": "renamed",
        "conditions-rows": "1",
        **{"conditions-0-field": "", "conditions-0-op": "created", "conditions-0-value": ""},
        "subscriptions-TOTAL_FORMS": "0",
        "subscriptions-INITIAL_FORMS": "0",
    }
    response = staff.post(url, form)
    assert response.status_code == 302
    trigger.refresh_from_db()
    assert (trigger.verb, trigger.name, trigger.conditions) == (
        "post_save",
        "An article was saved",
        [{"op": "created"}],
    )


def test_a_declared_backend_shows_its_options_read_only(declared, staff):
    backend = Backend.objects.get()
    page = staff.get(reverse("admin:django_signal_notifier_backend_change", args=[backend.pk])).content.decode()
    assert "Declared in code" in page and "<code>inbox</code>" in page
    assert 'name="messenger"' not in page and "option__" not in page


def test_declared_subscriptions_are_locked_on_their_triggers_page_too(declared, staff):
    trigger = Trigger.objects.get()
    page = staff.get(reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])).content.decode()
    assert 'name="subscriptions-0-exclude_actor" disabled' in page
    assert 'name="subscriptions-0-throttle_seconds" value="0"' in page  # not declared: editable
    assert 'name="subscriptions-0-throttle_seconds" value="0" disabled' not in page


def test_the_lists_show_which_rows_are_declared_in_code(declared, staff):
    Trigger.objects.create(verb="post_delete", name="made in the admin")
    page = staff.get(reverse("admin:django_signal_notifier_trigger_changelist")).content.decode()
    assert "In code" in page
    assert (page.count('alt="True"'), page.count('alt="False"')) == (3, 1)  # both enabled; one in code


def test_a_row_made_in_the_admin_or_by_a_one_off_declaration_is_not_locked(staff):
    declare.trigger("one-off", verb="post_save", model="testapp.Article")
    trigger = Trigger.objects.get(key="one-off")
    assert trigger.declared_fields == []
    page = staff.get(reverse("admin:django_signal_notifier_trigger_change", args=[trigger.pk])).content.decode()
    assert "Declared in code" not in page and 'name="verb"' in page


def test_a_declaration_removed_from_the_code_unlocks_its_rows_at_the_next_sync(declared):
    declare._hooks.remove(declarations)
    try:
        declare.sync()
    finally:
        declare._hooks.append(declarations)
    assert [
        row.declared_fields for row in (Trigger.objects.get(), Backend.objects.get(), Subscription.objects.get())
    ] == [
        [],
        [],
        [],
    ]
