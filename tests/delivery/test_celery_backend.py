"""The Celery task backend's contract, in process: which app sends, what a message carries, what is refused.

Real workers on a real broker run it in tests/integration/test_distributed_workers.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import Celery, _state
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from django_signal_notifier.delivery.backends import celery as backend_module
from django_signal_notifier.delivery.backends.celery import (
    BACKEND_HEADER,
    QUEUE_HEADER,
    RUN_TASK_NAME,
    CeleryBackend,
    package_app,
    project_app,
    resolve_app,
    run_task,
)
from django_signal_notifier.taskapi import task_backends
from tests.support.taskpaths import TASK_BACKENDS
from tests.support.tasks import echo, explode

try:  # Django >= 6.0
    from django.tasks.exceptions import InvalidTask as InvalidTaskError  # type: ignore[import-not-found]
    from django.tasks.signals import task_enqueued, task_finished, task_started  # type: ignore[import-not-found]
except ImportError:
    from django_tasks.exceptions import InvalidTaskError
    from django_tasks.signals import task_enqueued, task_finished, task_started

ROOT = Path(__file__).resolve().parents[2]
# No fixups: Celery's Django fixup would make it the default app of the whole test process.
OWN_APP = Celery("tests_own_app", set_as_current=False, fixups=[])
TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "celery": {
        "BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend",
        "QUEUES": ["default", "urgent"],
        "OPTIONS": {"app": "tests.delivery.test_celery_backend.OWN_APP"},
    },
}


@pytest.fixture(autouse=True)
def _celery_state_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps a test creates do not stay current or default for the tests after it."""
    monkeypatch.setattr(_state, "default_app", _state.default_app)
    monkeypatch.setattr(_state._tls, "current_app", _state._tls.current_app)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The messages the backend hands to its Celery app (OWN_APP), instead of a broker."""
    messages: list[dict[str, Any]] = []
    monkeypatch.setattr(OWN_APP, "send_task", lambda name, **options: messages.append({"name": name, **options}))
    with override_settings(TASKS=TASKS):
        yield messages


@pytest.fixture
def signals() -> Iterator[list[tuple[str, Any, Any, str]]]:
    """(signal, sender, task result, its status when the signal was sent) for each signal sent."""
    seen: list[tuple[str, Any, Any, str]] = []

    def receiver(name: str) -> Any:
        return lambda sender, task_result, **kwargs: seen.append((name, sender, task_result, str(task_result.status)))

    receivers = {name: receiver(name) for name in ("enqueued", "started", "finished")}
    task_enqueued.connect(receivers["enqueued"])
    task_started.connect(receivers["started"])
    task_finished.connect(receivers["finished"])
    yield seen
    task_enqueued.disconnect(receivers["enqueued"])
    task_started.disconnect(receivers["started"])
    task_finished.disconnect(receivers["finished"])


def test_enqueue_sends_one_message_on_the_configured_app_and_the_enqueued_signal(
    sent: list[dict[str, Any]], signals: list[tuple[str, Any, Any, str]]
) -> None:
    later = timezone.now() + timedelta(minutes=5)
    result = echo.using(backend="celery", queue_name="urgent", run_after=later).enqueue("hello")
    [message] = sent
    assert message["name"] == RUN_TASK_NAME
    assert message["args"] == ["tests.support.tasks.echo", ["hello"], {}]
    assert message["queue"] == "urgent" and message["eta"] == later and message["task_id"] == result.id
    assert message["headers"] == {BACKEND_HEADER: "celery", QUEUE_HEADER: "urgent"}
    assert result.status == "READY" and result.backend == "celery" and result.enqueued_at is not None
    assert signals == [("enqueued", CeleryBackend, result, "READY")]


def test_unsupported_features_are_refused_with_a_clear_error(sent: list[dict[str, Any]]) -> None:
    with pytest.raises(InvalidTaskError, match="queue of their own"):
        echo.using(backend="celery", priority=10)
    with pytest.raises(InvalidTaskError, match="nowhere"):
        echo.using(backend="celery", queue_name="nowhere")
    backend = task_backends["celery"]
    assert backend.supports_get_result is False
    with pytest.raises(NotImplementedError, match="Delivery row"):
        backend.get_result("anything")
    assert sent == []


def test_unknown_options_are_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="'broker'"):
        CeleryBackend("celery", {"OPTIONS": {"broker": "redis://"}})


def test_the_app_option_takes_a_dotted_or_colon_path_and_must_name_a_celery_app() -> None:
    assert resolve_app("tests.delivery.test_celery_backend.OWN_APP") is OWN_APP
    assert resolve_app("tests.delivery.test_celery_backend:OWN_APP") is OWN_APP
    with pytest.raises(TypeError, match="not a Celery app"):
        resolve_app("tests.delivery.test_celery_backend.TASKS")
    broken = CeleryBackend("celery", {"OPTIONS": {"app": "tests.delivery.test_celery_backend.TASKS"}})
    assert [message.id for message in broken.check()] == ["signal_notifier.E046"]


def test_without_an_app_option_the_projects_app_sends_and_never_celerys_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_state._tls, "current_app", None)
    fallback = Celery("default", fixups=[], set_as_current=False)  # what celery.current_app makes up
    monkeypatch.setattr(_state, "default_app", fallback)
    assert project_app() is None
    assert resolve_app(None) is package_app()

    mine = Celery("mysite", set_as_current=False)  # the project's celery.py, made default by Celery's Django fixup
    monkeypatch.setattr(_state, "default_app", mine)
    assert project_app() is mine and resolve_app(None) is mine


def test_the_package_app_reads_the_celery_settings_and_warns_without_a_broker() -> None:
    app = package_app()
    assert app.main == "django_signal_notifier"
    assert backend_module.app is app  # the worker's ``-A django_signal_notifier.delivery.backends.celery``
    backend = CeleryBackend("celery", {"OPTIONS": {"app": "tests.delivery.test_celery_backend.OWN_APP"}})
    assert [message.id for message in backend.check()] == ["signal_notifier.W046"]


def test_the_worker_side_sends_started_and_finished_with_the_outcome(
    sent: list[dict[str, Any]], signals: list[tuple[str, Any, Any, str]]
) -> None:
    headers = {BACKEND_HEADER: "celery", QUEUE_HEADER: "urgent"}
    run_task.apply(args=["tests.support.tasks.echo", ["hi"], {}], task_id="ok-1", headers=headers)
    failed = run_task.apply(args=["tests.support.tasks.explode", ["no"], {}], task_id="ko-1", headers=headers)
    assert isinstance(failed.result, ValueError)
    phases = [(name, sender, result.id, status) for name, sender, result, status in signals]
    assert phases == [
        ("started", CeleryBackend, "ok-1", "RUNNING"),
        ("finished", CeleryBackend, "ok-1", "SUCCESSFUL"),
        ("started", CeleryBackend, "ko-1", "RUNNING"),
        ("finished", CeleryBackend, "ko-1", "FAILED"),
    ]
    ok, ko = signals[1][2], signals[3][2]
    assert ok.return_value == "hi" and ok.task.queue_name == "urgent" and ok.backend == "celery"
    assert ok.finished_at >= ok.started_at and ok.worker_ids
    assert [error.exception_class_path for error in ko.errors] == ["builtins.ValueError"]
    assert explode.module_path == "tests.support.tasks.explode"


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "tests.settings_worker"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_backend_creates_no_celery_app() -> None:
    code = (
        "import django; django.setup()\n"
        "import django_signal_notifier.delivery.backends.celery, django_signal_notifier.backends.celery as old\n"
        "from celery import _state\n"
        "print(_state.default_app, _state._tls.current_app, old.CeleryBackend.__module__)"
    )
    assert _python(code) == "None None django_signal_notifier.delivery.backends.celery"


def test_a_projects_own_celery_app_knows_the_task_once_django_is_set_up() -> None:
    code = (
        "from celery import Celery, current_app\n"
        "app = Celery('mysite')\n"  # the project's celery.py, as Celery's Django guide writes it
        "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
        "import django; django.setup()\n"
        "print(current_app.main, 'django_signal_notifier.run_task' in app.tasks)"
    )
    assert _python(code) == "mysite True"
