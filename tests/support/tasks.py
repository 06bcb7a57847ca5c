"""Module-level Tasks API tasks for the task-backend contract tests."""

from __future__ import annotations

from django_signal_notifier.taskapi import task


@task()
def echo(value: str) -> str:
    """Return its argument (a task that succeeds)."""
    return value


@task()
def explode(reason: str) -> None:
    """Raise ValueError (a task that fails)."""
    raise ValueError(reason)
