"""System checks of the delivery settings."""

from __future__ import annotations

from typing import Any

from django_signal_notifier.checks.settings import check_task_backend
from tests.support.taskpaths import TASK_BACKENDS


def test_the_default_task_backend_passes() -> None:
    assert check_task_backend() == []


def test_an_unknown_task_backend_is_an_error(settings: Any) -> None:
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "TASK_BACKEND": "nope"}
    [error] = check_task_backend()
    assert error.id == "signal_notifier.E040"
    assert "'nope'" in error.msg


def test_a_queue_the_backend_refuses_is_an_error(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend", "QUEUES": ["mail"]},
    }
    [error] = check_task_backend()
    assert error.id == "signal_notifier.E041"
    assert "['mail']" in error.hint
