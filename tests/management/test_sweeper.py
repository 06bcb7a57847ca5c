"""The sweeper that cannot be forgotten: ``redrive --every`` and the deploy check W042 on its heartbeat."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.utils import timezone

from django_signal_notifier.models import Event, Heartbeat
from django_signal_notifier.models.heartbeat import SWEEPER
from tests.support.factories import subscribe, user
from tests.support.taskpaths import TASK_BACKENDS
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


def deploy_warnings() -> list[str]:
    found = checks.run_checks(include_deployment_checks=True, databases=["default"], tags=[checks.Tags.database])
    return [message.id for message in found if message.id == "signal_notifier.W042"]


@pytest.fixture
def queueing(settings: Any) -> None:
    """The database task backend: tasks wait for a worker (and the sweeper matters)."""
    settings.TASKS = {
        "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
        "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "db"}


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("signal_notifier", "redrive", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_a_queueing_backend_without_a_sweeper_is_a_deploy_warning_until_one_runs(queueing):
    assert deploy_warnings() == ["signal_notifier.W042"]
    assert run()[0] == 0  # one sweep records the heartbeat
    assert Heartbeat.last(SWEEPER) is not None
    assert deploy_warnings() == []


def test_a_sweeper_silent_for_ten_minutes_is_warned_about(queueing):
    Heartbeat.objects.create(name=SWEEPER, beat_at=timezone.now() - timedelta(minutes=11))
    found = checks.run_checks(include_deployment_checks=True, databases=["default"], tags=[checks.Tags.database])
    [warning] = [m for m in found if m.id == "signal_notifier.W042"]
    assert "last ran at" in warning.msg and "redrive --every 60" in str(warning.hint)


def test_the_immediate_backend_needs_no_sweeper_and_plain_check_reads_no_database():
    assert deploy_warnings() == []


def test_the_deploy_check_reads_no_database_unless_one_is_named(queueing):
    found = checks.run_checks(include_deployment_checks=True)
    assert "signal_notifier.W042" not in [m.id for m in found]


def test_redrive_every_runs_until_its_run_count_and_resumes_fan_outs(settings, queueing):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_RESUME_AFTER": 0}
    subscribe("post_save", Article, users=[user("alice")], messenger="InSiteMessenger")
    Event.objects.create(verb="post_save", trigger_ids=[], fanout_done=False)  # a fan-out a dead process left
    code, out, _ = run("--every", "0.05", "--runs", "3", "--json")
    assert code == 0
    assert len(out.strip().splitlines()) == 3  # one JSON line per run
    assert not Event.objects.filter(fanout_done=False).exists()


def test_redrive_every_stops_on_sigterm(monkeypatch):
    runs: Counter[str] = Counter()

    def run_once(limit: Any, out: Any = None) -> Counter[str]:
        runs["n"] += 1
        if runs["n"] == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # what systemd or a container runtime sends to stop it
        return Counter()

    monkeypatch.setattr("django_signal_notifier.management.cli.redrive.run_once", run_once)
    before = signal.getsignal(signal.SIGTERM)
    code, _, _ = run("--every", "0.01")
    assert code == 0 and runs["n"] == 2
    assert signal.getsignal(signal.SIGTERM) is before  # the process's own handler is back


@pytest.mark.parametrize(
    ("args", "error"),
    [(["--every", "0"], "--every must be"), (["--runs", "2"], "--runs needs --every"), (["--limit", "0"], "--limit")],
)
def test_redrive_refuses_bad_arguments_with_what_to_fix(args, error):
    code, _, err = run(*args)
    assert code == 2 and error in err


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def run_on(stdout: StringIO, stderr: StringIO, *args: str) -> None:
    try:
        call_command("signal_notifier", *args, stdout=stdout, stderr=stderr)
    except SystemExit:
        pass


def test_long_commands_show_progress_on_a_terminal_only_and_are_silent_with_quiet(monkeypatch):
    from tests.support.delivery_setup import configure

    monkeypatch.setattr("django_signal_notifier.delivery.tasks.enqueue_deliveries", lambda ids: None)
    configure(3)
    Article.objects.create(title="pending")
    out, err = StringIO(), Terminal()
    run_on(out, err, "redrive")
    assert "\rRedriving: 3 sent" in err.getvalue()  # progress, on the terminal's stderr
    assert out.getvalue().strip() == "Redrove 3 deliveries: 3 sent, 0 failed, 0 dead, 0 skipped, 0 lost_claim."

    piped_out, piped_err = StringIO(), StringIO()  # cron: no terminal, no progress
    run_on(piped_out, piped_err, "redrive")
    assert piped_err.getvalue() == "" and piped_out.getvalue().startswith("Redrove 0")

    for args in (
        ["redrive", "--quiet"],
        ["digest", "--quiet"],
        ["sync", "--quiet"],
        ["prune", "--older-than", "0", "--quiet"],
    ):
        quiet_out, quiet_err = StringIO(), Terminal()
        run_on(quiet_out, quiet_err, *args)
        assert (quiet_out.getvalue(), quiet_err.getvalue()) == ("", ""), args


def test_long_commands_answer_json_for_scripts():
    import json

    for args, key in ((["digest"], "enqueued"), (["sync"], "applied"), (["prune", "--older-than", "0"], "events")):
        out = StringIO()
        run_on(out, StringIO(), *args, "--json")
        assert key in json.loads(out.getvalue()), args


def test_prune_deletes_in_batches_and_reports_each(monkeypatch):
    from django_signal_notifier.models import Delivery, DeliveryStatus
    from tests.support.delivery_setup import configure

    configure(5)
    Article.objects.create(title="old news")
    Delivery.objects.update(status=DeliveryStatus.SENT, created_at=timezone.now() - timedelta(days=40))
    out, err = StringIO(), Terminal()
    run_on(out, err, "prune", "--older-than", "30", "--batch-size", "2")
    assert "Deleting deliveries: 2 of 5" in err.getvalue() and "Deleting deliveries: 5 of 5" in err.getvalue()
    assert Delivery.objects.count() == 0
    assert out.getvalue().startswith("Deleted 5 deliveries older than 30 days (5 sent)")
