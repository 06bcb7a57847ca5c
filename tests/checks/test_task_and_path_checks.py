"""System checks for the task backend and the configured dotted paths: id, message and hint."""

from __future__ import annotations

import pytest
from django.core.checks import Error, Info, Warning, run_checks

from tests.support.taskpaths import TASK_BACKENDS

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"}}


def found(**_):
    return {m.id: m for m in run_checks() if m.id and m.id.startswith("signal_notifier")}


def test_the_default_configuration_is_clean():
    assert found() == {}


def test_task_backend_alias_missing_from_TASKS(settings):
    settings.TASKS = IMMEDIATE
    settings.SIGNAL_NOTIFIER = {"TASK_BACKEND": "workers"}
    message = found()["signal_notifier.E040"]
    assert isinstance(message, Error)
    assert "'workers', which cannot be loaded from TASKS" in message.msg
    assert "TASK_BACKEND" in message.hint


def test_task_backend_that_does_not_import(settings):
    from django_signal_notifier.checks.settings import check_task_backend, check_task_worker

    settings.TASKS = {"default": {"BACKEND": "nowhere.Backend"}}
    # Our checks only: Django 6's own tasks check raises on a backend that does not import.
    messages = {m.id: m for m in [*check_task_backend(), *check_task_worker()]}
    assert "Could not find backend 'nowhere.Backend'" in messages["signal_notifier.E040"].msg
    assert set(messages) == {"signal_notifier.E040"}  # reported once, not again as a worker warning


def test_database_worker_backend_without_its_app(settings, monkeypatch):
    from django.apps import apps

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # As if django_tasks_db were not in INSTALLED_APPS (changing INSTALLED_APPS here would leak into other tests).
    is_installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "django_tasks_db" and is_installed(name))
    messages = found()
    assert "django_tasks_db, which is not in INSTALLED_APPS" in messages["signal_notifier.E022"].msg
    assert "INSTALLED_APPS" in messages["signal_notifier.E022"].hint
    assert set(messages) == {"signal_notifier.E022"}


def test_a_worker_backend_is_a_correct_setup_and_only_check_deploy_notes_its_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # its app is installed
    assert found() == {}  # every manage.py command runs these: a correct setup prints nothing
    deploy = {m.id: m for m in run_checks(include_deployment_checks=True) if m.id.startswith("signal_notifier")}
    note = deploy["signal_notifier.I024"]
    assert isinstance(note, Info) and not isinstance(note, Warning)
    assert "messages are sent only while a worker runs" in note.msg and "manage.py db_worker" in note.hint


def test_queue_the_backend_does_not_accept_and_the_dummy_backend(settings):
    settings.TASKS = {"default": {"BACKEND": f"{TASK_BACKENDS}.dummy.DummyBackend", "QUEUES": ["mail"]}}
    messages = found()
    assert "'default', which the 'default' task backend does not accept" in messages["signal_notifier.E041"].msg
    assert "never runs tasks" in messages["signal_notifier.W025"].msg


def test_language_getter_messengers_and_templates_that_do_not_import(settings):
    settings.SIGNAL_NOTIFIER = {
        "LANGUAGE_GETTER": "tests.nowhere.language",
        "MESSENGERS": ["tests.nowhere.Messenger", "tests.testapp.models.Article"],
        "MESSAGE_TEMPLATES": "tests.nowhere.Template",
    }
    messages = [m for m in run_checks() if m.id and m.id.startswith("signal_notifier")]
    by_id = {}
    for message in messages:
        by_id.setdefault(message.id, []).append(message.msg)
    assert "'tests.nowhere.language') cannot be imported" in by_id["signal_notifier.E026"][0]
    assert len(by_id["signal_notifier.E027"]) == 2
    assert "'tests.nowhere.Messenger', which cannot be imported" in by_id["signal_notifier.E027"][0]
    assert "'tests.testapp.models.Article', which is not a subclass of Messenger" in by_id["signal_notifier.E027"][1]
    assert "must be a list of dotted paths" in by_id["signal_notifier.E028"][0]


def test_a_language_getter_that_is_not_callable(settings):
    settings.SIGNAL_NOTIFIER = {"LANGUAGE_GETTER": "django.conf.settings"}
    assert "is not callable" in found()["signal_notifier.E026"].msg


def test_check_command_exits_non_zero_on_errors(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.SIGNAL_NOTIFIER = {"TASK_BACKEND": "workers"}
    with pytest.raises(SystemCheckError, match="signal_notifier.E040"):
        call_command("check")
