"""Configuration declared in code: idempotent, visible in the admin, applied after migrate."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from django_signal_notifier import declare
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.models import Backend, Subscription, Trigger
from tests.support.factories import user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


def declarations(d: declare.Declarer) -> None:
    article = d.trigger("article-saved", verb="post_save", model="testapp.Article", name="An article was saved")
    inbox = d.backend("inbox", messenger="InSiteMessenger")
    record = d.backend("record", messenger="RecordingMessenger")
    d.subscription("article-to-editors", trigger=article, backends=[inbox, record], users=["alice"], groups=["editors"])


def test_declaring_twice_changes_nothing_and_fires(recorded, django_capture_on_commit_callbacks):
    user("alice")
    declarer = declare.Declarer()
    declarations(declarer)
    declarations(declarer)
    assert (Trigger.objects.count(), Backend.objects.count(), Subscription.objects.count()) == (1, 2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="declared")
    assert [m.address for m in recorded] == ["alice"]


def test_declarations_update_in_place():
    user("alice")
    declarer = declare.Declarer()
    declarations(declarer)
    pk = Trigger.objects.get(key="article-saved").pk
    declarer.trigger("article-saved", verb="post_delete", model=Article)
    trigger = Trigger.objects.get(key="article-saved")
    assert (trigger.pk, trigger.verb) == (pk, "post_delete")


def test_unknown_names_fail_loudly_at_declaration_time():
    declarer = declare.Declarer()
    with pytest.raises(ConfigurationError, match="signal 'post_sav' is not registered"):
        declarer.trigger("typo", verb="post_sav", model=Article)
    with pytest.raises(ConfigurationError, match="Unknown model 'testapp.Nope'"):
        declarer.trigger("typo", verb="post_save", model="testapp.Nope")
    with pytest.raises(Exception, match="unknown messenger 'Nope'"):
        declarer.backend("typo", messenger="Nope")


def test_sync_command_runs_registered_declarations(recorded):
    user("alice")
    declare.on_sync(declarations)
    try:
        call_command("signal_notifier", "sync")
    finally:
        declare._hooks.remove(declarations)
    assert Subscription.objects.get(key="article-to-editors").backends.count() == 2


def test_declared_rows_are_visible_in_the_admin(client, django_user_model):
    user("alice")
    declarations(declare.Declarer())
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    page = client.get("/admin/django_signal_notifier/trigger/").content.decode()
    assert "An article was saved" in page
