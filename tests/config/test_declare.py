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


def test_a_missing_user_is_a_warning_naming_the_declaration_never_a_crash(caplog):
    declarer = declare.Declarer()
    declarations(declarer)  # names "alice", who does not exist yet
    [warning] = declarer.warnings
    assert "Subscription 'article-to-editors'" in warning and "'alice' does not exist" in warning
    assert "signal_notifier sync" in warning
    subscription = Subscription.objects.get(key="article-to-editors")
    assert list(subscription.receiver_users.all()) == [] and subscription.receiver_groups.count() == 1

    alice = user("alice")
    again = declare.Declarer()
    declarations(again)  # once she exists, syncing again adds her
    assert again.warnings == [] and list(subscription.receiver_users.all()) == [alice]


def test_an_undeclared_trigger_or_backend_key_is_a_configuration_error_that_says_what_to_do():
    declarer = declare.Declarer()
    with pytest.raises(ConfigurationError, match="no trigger is declared with the key 'nope'"):
        declarer.subscription("s", trigger="nope", backends=[])
    declarer.trigger("t", verb="post_save", model=Article)
    with pytest.raises(ConfigurationError, match="no backend is declared with the key 'missing'"):
        declarer.subscription("s", trigger="t", backends=["missing"])


def test_migrate_applies_declarations_and_reports_what_it_left_out_without_failing(monkeypatch):
    from io import StringIO

    from django_signal_notifier.config import declare as declare_module

    monkeypatch.setattr(declare_module, "_hooks", [declarations])
    out = StringIO()
    declare_module.run_after_migrate(sender=None, verbosity=1, stdout=out)
    assert "the user 'alice' does not exist (yet)" in out.getvalue()
    assert Subscription.objects.filter(key="article-to-editors").exists()


def test_a_declaration_that_cannot_work_does_not_fail_migrate(monkeypatch):
    from io import StringIO

    from django_signal_notifier.config import declare as declare_module

    def broken(d: declare.Declarer) -> None:
        d.trigger("typo", verb="post_sav", model=Article)

    monkeypatch.setattr(declare_module, "_hooks", [broken])
    out = StringIO()
    declare_module.run_after_migrate(sender=None, verbosity=1, stdout=out)
    assert "was not applied: Trigger 'typo': signal 'post_sav' is not registered" in out.getvalue()
    assert "signal_notifier sync" in out.getvalue()
    assert not Trigger.objects.exists()
