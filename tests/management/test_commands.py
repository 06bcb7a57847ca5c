"""``manage.py signal_notifier list | fire | render | test-send``: output, JSON and exit codes."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from django_signal_notifier.messengers.testing import TestMessenger
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Notification, Trigger
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_test_outbox():
    TestMessenger.outbox.clear()
    yield
    TestMessenger.outbox.clear()


def run(*args):
    """Run the command; returns (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("signal_notifier", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def configured():
    alice = user("alice", email="alice@example.com")
    bob = user("bob", email="bob@example.com")
    editors = Group.objects.create(name="editors")
    bob.groups.add(editors)
    subscription = subscribe(
        "post_save", Article, users=[alice], groups=[editors], messenger="TestMessenger", name="On articles"
    )
    subscription.backends.add(Backend.objects.create(messenger="InSiteMessenger"))
    return subscription


# -- list -----------------------------------------------------------------------------------------
def test_list_shows_triggers_subscriptions_and_problems(configured):
    Trigger.objects.create(verb="renamed_signal", name="Stale")
    broken = subscribe("post_save", Article, messenger="Pigeon", name="Broken")
    subscribe("post_save", Event, users=[user("carol")], name="Loop")
    code, out, _ = run("list")
    assert code == 0
    assert f"Trigger {configured.trigger_id} 'On articles': post_save on testapp.article [enabled] ok" in out
    assert "-> alice, group:editors" in out
    assert "Backend" in out and "TestMessenger · default template" in out
    assert "! signal 'renamed_signal' is not registered" in out
    assert f"! backend {broken.backends.get().pk}: unknown messenger 'Pigeon'" in out
    assert "! no receivers" in out
    assert "! triggers on the package's own models (django_signal_notifier.event) are ignored" in out


def test_list_json_and_problems_only(configured):
    Trigger.objects.create(verb="renamed_signal", name="Stale")
    code, out, _ = run("list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["name"], r["ok"]) for r in rows] == [("On articles", True), ("Stale", False)]
    assert rows[0]["subscriptions"][0]["users"] == ["alice"]
    code, out, _ = run("list", "--problems", "--json")
    assert code == 1
    assert [r["name"] for r in json.loads(out)] == ["Stale"]


def test_list_with_nothing_configured():
    assert run("list") == (0, "No triggers.\n", "")


# -- fire -----------------------------------------------------------------------------------------
def test_fire_dry_run_shows_who_gets_what_and_writes_nothing(configured):
    article = Article.objects.create(title="Engines")
    Notification.objects.all().delete()
    Event.objects.all().delete()
    TestMessenger.outbox.clear()
    code, out, _ = run("fire", str(configured.trigger_id), "--object", str(article.pk), "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Dry run of trigger {configured.trigger_id} 'On articles': 4 message(s), nothing written."
    assert "  alice:\n" in out and "  bob:\n" in out  # one timeline per recipient
    assert "  TestMessenger <alice@example.com>: " in out
    assert "  TestMessenger <bob@example.com>: " in out
    assert "  InSiteMessenger: " in out and "Engines" in out
    assert "      step: at once" in out
    assert (Event.objects.count(), Delivery.objects.count(), Notification.objects.count()) == (0, 0, 0)
    assert TestMessenger.outbox == []


def test_fire_dry_run_json(configured):
    article = Article.objects.create(title="Engines")
    code, out, _ = run(
        "fire",
        str(configured.trigger_id),
        "--object",
        str(article.pk),
        "--dry-run",
        "--json",
        "--kwargs",
        '{"created": true}',
    )
    assert code == 0
    result = json.loads(out)
    assert result["dry_run"] is True
    assert sorted((m["channel"], m["recipient"]) for m in result["messages"]) == [
        ("InSiteMessenger", "alice"),
        ("InSiteMessenger", "bob"),
        ("TestMessenger", "alice"),
        ("TestMessenger", "bob"),
    ]
    assert all("created" in m["subject"] + m["text"] for m in result["messages"])


def test_fire_really_sends_through_the_pipeline(configured):
    article = Article.objects.create(title="Engines")
    before = Event.objects.count()
    TestMessenger.outbox.clear()
    code, out, _ = run("fire", str(configured.trigger_id), "--object", str(article.pk), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["deliveries"] == {"sent": 2} and result["notifications"] == 2
    assert Event.objects.count() == before + 1
    assert sorted(m.address for m in TestMessenger.outbox) == ["alice@example.com", "bob@example.com"]


def test_fire_reports_failed_sends_with_exit_code_1(configured):
    configured.backends.filter(messenger="TestMessenger").update(options={"fail": "permanent"})
    article = Article.objects.create(title="Engines")
    code, out, _ = run("fire", str(configured.trigger_id), "--object", str(article.pk))
    assert code == 1
    assert "deliveries: 2 dead" in out


def test_fire_bad_input_exits_2(configured):
    assert run("fire", "999")[0] == 2
    assert "No trigger '999'" in run("fire", "999")[2]
    code, _, err = run("fire", str(configured.trigger_id), "--kwargs", "{not json")
    assert code == 2 and "--kwargs is not valid JSON" in err
    code, _, err = run("fire", str(configured.trigger_id), "--kwargs", "[1]")
    assert code == 2 and "must be a JSON object" in err
    code, _, err = run("fire", str(configured.trigger_id), "--object", "12345")
    assert code == 2 and "No testapp.Article with primary key '12345'" in err
    Trigger.objects.create(verb="renamed_signal", key="stale")
    code, _, err = run("fire", "stale")
    assert code == 2 and "signal 'renamed_signal' is not registered" in err


# -- render ---------------------------------------------------------------------------------------
def test_render_a_template_for_a_user_and_object():
    user("alice")
    article = Article.objects.create(title="Engines")
    code, out, _ = run(
        "render", "DefaultMessageTemplate", "--user", "alice", "--object", f"testapp.Article:{article.pk}"
    )
    assert code == 0
    assert "--- subject ---" in out and "Engines" in out
    code, out, _ = run(
        "render", "InSiteMessageTemplate", "--user", "alice", "--object", f"testapp.Article:{article.pk}", "--json"
    )
    result = json.loads(out)
    assert (code, result["user"], result["url"]) == (0, "alice", f"/articles/{article.pk}/")


def test_render_bad_input_exits_2():
    user("alice")
    code, _, err = run("render", "Nope", "--user", "alice")
    assert code == 2 and "No message template is registered as 'Nope'" in err
    code, _, err = run("render", "DefaultMessageTemplate", "--user", "nobody")
    assert code == 2 and "No user 'nobody'" in err
    code, _, err = run("render", "DefaultMessageTemplate", "--user", "alice", "--object", "testapp.Article")
    assert code == 2 and "app_label.Model:pk" in err
    code, _, err = run("render", "DefaultMessageTemplate", "--user", "alice", "--object", "nope.Model:1")
    assert code == 2 and "No model 'nope.Model'" in err


# -- test-send ------------------------------------------------------------------------------------
def test_test_send_to_a_user_and_to_an_address():
    user("alice", email="alice@example.com")
    backend = Backend.objects.create(messenger="TestMessenger", key="test-channel")
    code, out, _ = run("test-send", str(backend.pk), "--user", "alice")
    assert code == 0
    assert "TestMessenger -> alice@example.com: sent" in out
    code, out, _ = run("test-send", "test-channel", "--address", "ops@example.com", "--json")
    result = json.loads(out)
    assert (code, result["status"], result["address"]) == (0, "sent", "ops@example.com")
    assert [m.address for m in TestMessenger.outbox] == ["alice@example.com", "ops@example.com"]
    assert TestMessenger.outbox[0].text == TestMessenger.test_message
    assert Delivery.objects.get(pk=result["delivery"]).status == DeliveryStatus.SENT


def test_test_send_failure_exits_1_and_is_recorded():
    user("alice")
    backend = Backend.objects.create(messenger="TestMessenger", options={"fail": "transient"})
    code, out, _ = run("test-send", str(backend.pk), "--user", "alice")
    assert code == 1
    assert "failed" in out.lower() and "simulated transient failure" in out
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD and "simulated" in delivery.last_error


def test_test_send_in_site_and_bad_input():
    alice = user("alice")
    inbox = Backend.objects.create(messenger="InSiteMessenger")
    code, out, _ = run("test-send", str(inbox.pk), "--user", "alice")
    assert (code, Notification.objects.get().recipient) == (0, alice)
    assert "InSiteMessenger -> alice: written" in out
    code, _, err = run("test-send", str(inbox.pk), "--address", "x@example.com")
    assert code == 2 and "use --user" in err
    assert run("test-send", "999", "--user", "alice")[0] == 2
    assert run("test-send", str(inbox.pk), "--user", "nobody")[0] == 2
    ghost = Backend.objects.create(messenger="Pigeon")
    code, _, err = run("test-send", str(ghost.pk), "--user", "alice")
    assert code == 2 and "'Pigeon', which is not registered" in err


def test_fire_warns_when_the_object_would_not_match(configured):
    article = Article.objects.create(title="Engines")
    other = Article.objects.create(title="Other")
    Trigger.objects.filter(pk=configured.trigger_id).update(action_object_id=str(other.pk))
    code, out, err = run("fire", str(configured.trigger_id), "--object", str(article.pk), "--dry-run")
    assert code == 0
    assert "does not match the trigger's filters" in err
    code, out, _ = run("fire", str(configured.trigger_id), "--object", str(other.pk), "--dry-run", "--json")
    assert json.loads(out)["matches"] is True


def test_fire_dry_run_shows_opted_out_recipients_and_writes_nothing(configured):
    from django_signal_notifier.preferences.rules import set_preference

    bob = configured.receiver_groups.get().user_set.get()
    set_preference(bob.pk, configured.pk, "TestMessenger", False)
    article = Article.objects.create(title="Engines")
    deliveries = Delivery.objects.count()
    code, out, _ = run("fire", str(configured.trigger_id), "--object", str(article.pk), "--dry-run")
    assert code == 0
    assert "  not sent  TestMessenger: ''\n      step: at once\n      ! skipped: opted out" in out
    assert Delivery.objects.count() == deliveries


def test_render_and_notify_use_templates_stored_in_the_database():
    from django_signal_notifier import notify
    from django_signal_notifier.models import StoredTemplate

    alice = user("alice")
    StoredTemplate.objects.create(name="welcome", subject="Welcome {{ recipient }}", text="About {{ instance }}")
    article = Article.objects.create(title="Engines")
    code, out, _ = run("render", "db:welcome", "--user", "alice", "--object", f"testapp.Article:{article.pk}", "--json")
    assert code == 0
    assert (json.loads(out)["subject"], json.loads(out)["text"]) == ("Welcome alice", "About Engines")
    notify("welcomed", recipients=alice, action_object=article, channels=["TestMessenger"], template="db:welcome")
    assert [(m.subject, m.text) for m in TestMessenger.outbox] == [("Welcome alice", "About Engines")]


# -- what a newcomer tried (issue 18) ---------------------------------------------------------------
def test_list_shows_the_keys_that_fire_and_test_send_accept():
    from django_signal_notifier import declare

    trigger = declare.trigger("article-saved", verb="post_save", model="testapp.Article", name="Articles")
    inbox = declare.backend("inbox", messenger="InSiteMessenger")
    declare.subscription("articles-to-alice", trigger=trigger, backends=[inbox], users=[user("alice")])

    code, out, _ = run("list")

    assert code == 0
    assert f"Trigger {trigger.pk} (key article-saved) 'Articles'" in out
    assert "(key articles-to-alice)" in out and f"Backend {inbox.pk} (key inbox): InSiteMessenger" in out
    rows = json.loads(run("list", "--json")[1])
    assert rows[0]["key"] == "article-saved" and rows[0]["subscriptions"][0]["key"] == "articles-to-alice"
    assert rows[0]["subscriptions"][0]["backends"][0]["key"] == "inbox"
    Article.objects.create(title="Engines")
    assert run("fire", "article-saved", "--dry-run")[0] == 0  # the key shown is the one fire takes


def test_fire_without_object_uses_the_newest_and_never_renders_none(configured):
    Article.objects.create(title="Older")
    newest = Article.objects.create(title="Quarterly report")
    TestMessenger.outbox.clear()

    code, out, err = run("fire", str(configured.trigger_id), "--dry-run")

    assert code == 0
    assert f"No --object given: using the newest testapp.Article, #{newest.pk}." in err
    assert "“Quarterly report”" in out and "None" not in out


def test_fire_without_object_and_no_object_at_all_says_what_to_do(configured):
    code, _, err = run("fire", str(configured.trigger_id), "--dry-run")
    assert code == 2
    assert "fires on testapp.Article objects and none exists yet" in err
