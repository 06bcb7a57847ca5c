"""What a stored template may see is decided by the data's meaning, not by its field name.

Another user's private fields (email, staff and superuser flags, last login) never reach anyone's
message, and never reach the Event snapshot every recipient's rendering reads; the recipient sees
their own non-secret fields; the admin preview shows nothing of models the viewer may not view.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from django_signal_notifier.events.actor import acting_as
from django_signal_notifier.models import Event, StoredTemplate, Trigger
from django_signal_notifier.rendering.render import EventView, base_context, render
from django_signal_notifier.rendering.stored import stored_template_class
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

PRIVATE = ("email", "is_superuser", "is_staff", "last_login", "password", "date_joined", "is_active")
PROBE = " ".join(f"[{{{{ instance.author.{name} }}}}][{{{{ actor.{name} }}}}]" for name in PRIVATE)


@pytest.fixture
def people() -> dict[str, Any]:
    User = get_user_model()
    author = User.objects.create_superuser("boss", "boss-private@example.org", "pw", first_name="Bo", last_name="Ss")
    author.last_login = timezone.now()
    author.save()
    reader = User.objects.create_user("reader", "reader-own@example.org", "pw", first_name="Re")
    return {"author": author, "reader": reader}


def test_other_users_private_fields_reach_no_inbox(people, run_on_commit, recorded):
    StoredTemplate.objects.create(name="probe", subject="probe", text=PROBE)
    subscribe("post_save", Article, users=[people["reader"]], template="db:probe")
    with run_on_commit(), acting_as(people["author"]):
        Article.objects.create(title="t", author=people["author"])
    [message] = recorded
    assert message.text == " ".join(["[][]"] * len(PRIVATE)), message.text
    assert "boss-private@example.org" not in message.text


def test_other_users_public_fields_stay_visible(people, run_on_commit, recorded):
    StoredTemplate.objects.create(
        name="public",
        subject="x",
        text=(
            "{{ instance.author.username }}|{{ instance.author.first_name }}|{{ instance.author.last_name }}|"
            "{{ instance.author.get_full_name }}|{{ instance.author.get_short_name }}|{{ instance.author }}|"
            "{{ actor.username }}|{{ instance.author.pk }}"
        ),
    )
    subscribe("post_save", Article, users=[people["reader"]], template="db:public")
    with run_on_commit(), acting_as(people["author"]):
        Article.objects.create(title="t", author=people["author"])
    [message] = recorded
    pk = people["author"].pk
    assert message.text == f"boss|Bo|Ss|Bo Ss|Bo|boss|boss|{pk}"


def test_the_public_fields_are_a_setting(people, run_on_commit, recorded, settings):
    settings.SIGNAL_NOTIFIER = {"USER_PUBLIC_FIELDS": ["username", "email"]}
    StoredTemplate.objects.create(
        name="wider", subject="x", text="{{ instance.author.email }}|{{ instance.author.first_name }}"
    )
    subscribe("post_save", Article, users=[people["reader"]], template="db:wider")
    with run_on_commit():
        Article.objects.create(title="t", author=people["author"])
    assert [m.text for m in recorded] == ["boss-private@example.org|"]


def test_the_recipient_sees_their_own_fields_but_never_secrets(people, run_on_commit, recorded):
    StoredTemplate.objects.create(
        name="own",
        subject="x",
        text="{{ recipient.email }}|{{ user.first_name }}|{{ recipient.password }}|{{ recipient.is_superuser }}|"
        "{{ recipient.is_staff }}",
    )
    subscribe("post_save", Article, users=[people["reader"], people["author"]], template="db:own")
    with run_on_commit():
        Article.objects.create(title="t")
    assert sorted(m.text for m in recorded) == [
        "boss-private@example.org|Bo|||",
        "reader-own@example.org|Re|||",
    ]


def test_the_event_snapshot_holds_no_other_users_private_fields(people, run_on_commit):
    subscribe("post_save", Article, users=[people["reader"]], messenger="InSiteMessenger")
    with run_on_commit(), acting_as(people["author"]):
        Article.objects.create(title="t", author=people["author"])
    snapshot = Event.objects.get().snapshot
    stored = json.dumps(snapshot)
    assert "boss-private@example.org" not in stored
    for name in ("is_superuser", "is_staff", "last_login", "email", "password"):
        assert name not in snapshot["actor"]["fields"], name
    assert snapshot["actor"]["fields"]["username"] == "boss"


def test_a_deleted_actor_renders_from_the_snapshot_with_public_fields_only(people, run_on_commit, recorded):
    StoredTemplate.objects.create(name="gone", subject="x", text="{{ actor.username }}|{{ actor.email }}")
    subscribe("post_save", Article, users=[people["reader"]], template="db:gone")
    with run_on_commit(), acting_as(people["author"]):
        Article.objects.create(title="t")
    event = Event.objects.get()
    get_user_model().objects.filter(pk=people["author"].pk).delete()
    template = stored_template_class("db:gone")()
    message = render(template, base_context(EventView.from_row(event)), people["reader"], "en")
    assert message.text == "boss|"


def test_the_preview_shows_nothing_of_models_the_viewer_may_not_view(client, people):
    trigger = Trigger.objects.create(
        verb="post_save", action_object_content_type=ContentType.objects.get_for_model(Article)
    )
    article = Article.objects.create(title="seen", author=people["author"])
    record = StoredTemplate.objects.create(name="p", subject="p", text="x")
    editor = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_storedtemplate", "view_article"]))
    client.force_login(editor)
    url = f"/admin/django_signal_notifier/storedtemplate/{record.pk}/preview/"
    data = {
        "trigger": trigger.pk,
        "object_id": article.pk,
        "subject": "p",
        "text": "[{{ instance.title }}][{{ instance.author }}][{{ instance.author.username }}]",
        "preview": "1",
    }
    assert client.get("/admin/auth/user/").status_code == 403
    page = client.post(url, data).content.decode()
    assert "[seen][][]" in page, page
    editor.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(get_user_model().objects.get(pk=editor.pk))
    page = client.post(url, data).content.decode()
    assert "[seen][boss][boss]" in page
