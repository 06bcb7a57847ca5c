"""A thin Tasks API backend that runs tasks on Celery workers (``pip install django-signal-notifier[celery]``).

``enqueue()`` sends one Celery message naming the task's import path and its JSON arguments;
the Celery task :func:`run_task` imports that Task and calls it in the worker. Settings::

    TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "celery": {"BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend"},
    }
    SIGNAL_NOTIFIER = {"TASK_BACKEND": "celery"}
    CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

Worker: ``DJANGO_SETTINGS_MODULE=mysite.settings celery -A django_signal_notifier.delivery.backends.celery worker -Q default``.
With a Celery app of your own, pass ``"OPTIONS": {"app": "mysite.celery.app"}`` and import this
module in it (``app.conf.include = ["django_signal_notifier.delivery.backends.celery"]``).
Results are not stored: delivery outcomes live on the Delivery rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import Celery, shared_task
from django.utils import timezone
from django.utils.module_loading import import_string

try:  # Django >= 6.0
    from django.tasks.backends.base import BaseTaskBackend  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from django.tasks.base import TaskResult, TaskResultStatus  # type: ignore[import-not-found,import-untyped,unused-ignore]
except ImportError:  # Django 5.2 with the backport
    from django_tasks.backends.base import BaseTaskBackend  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]
    from django_tasks.base import TaskResult, TaskResultStatus  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]

RUN_TASK_NAME = "django_signal_notifier.run_task"

# The package's Celery app: configured from Django settings prefixed CELERY_ (CELERY_BROKER_URL, …).
app = Celery("django_signal_notifier")
app.config_from_object("django.conf:settings", namespace="CELERY")


# acks_late: a worker killed mid-task leaves the message to be delivered again by the broker;
# the outbox's claims make that second run send only what the first did not record.
@shared_task(  # type: ignore[untyped-decorator,misc,unused-ignore]
    name=RUN_TASK_NAME, ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def run_task(module_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run a Tasks API task in a Celery worker."""
    task = import_string(module_path)
    return task.call(*args, **kwargs)


class CeleryBackend(BaseTaskBackend):  # type: ignore[misc,valid-type,unused-ignore]
    """Enqueues Tasks API tasks as Celery messages (defer supported through Celery's ``eta``)."""

    supports_defer = True

    def _app(self) -> Any:
        path = self.options.get("app")
        return import_string(path) if path else app

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        result_id = uuid.uuid4().hex
        self._app().send_task(
            RUN_TASK_NAME,
            args=[task.module_path, list(args), dict(kwargs)],
            queue=task.queue_name,
            eta=task.run_after,
            task_id=result_id,
        )
        return TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )


__all__ = ["CeleryBackend", "app", "run_task"]
