"""A Tasks API backend that runs tasks on Celery workers (``pip install django-signal-notifier[celery]``).

``enqueue()`` sends one Celery message, through the project's Celery app, naming the task's
import path and its JSON arguments; the Celery task :func:`run_task` imports that Task and runs
it in the worker. The Tasks API's signals are sent where Django's own backends send them:
``task_enqueued`` in the enqueuing process, ``task_started`` and ``task_finished`` in the worker.
Settings::

    TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "celery": {"BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend"},
    }
    SIGNAL_NOTIFIER = {"TASK_BACKEND": "celery"}
    CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

Which Celery app sends: ``OPTIONS: {"app": "mysite.celery.app"}`` when given; else the project's
app, the one Celery's Django integration makes the default (``mysite/celery.py`` imported by
``mysite/__init__.py``); else, for a project without one, a package app configured from the
``CELERY_*`` settings, created on first use (never at import). Its worker:
``celery -A django_signal_notifier.delivery.backends.celery worker -Q default``.

What it supports: ``run_after`` (Celery's ``eta``), queue names (one Celery queue each), async
task functions and ``takes_context``. Refused by ``enqueue()`` with ``InvalidTask``
(``InvalidTaskError`` in the backport): a priority other than the default, because Celery's
brokers disagree on what one means (RabbitMQ needs ``x-max-priority`` queues, Redis serves the
lowest number first and files unprioritised messages at the top); route urgent tasks to a queue
of their own instead. Results are not stored (``supports_get_result = False``): a Delivery row
is the record of its outcome.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Iterable
from typing import Any

from celery import Celery, shared_task
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

try:  # Django >= 6.0
    from django.tasks.backends.base import BaseTaskBackend  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from django.tasks.base import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
        DEFAULT_TASK_PRIORITY,
        TaskContext,
        TaskError,
        TaskResult,
        TaskResultStatus,
    )
    from django.tasks.exceptions import InvalidTask  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from django.tasks.signals import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
        task_enqueued,
        task_finished,
        task_started,
    )
    from django.utils.json import normalize_json  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # Django 5.2 with the backport
    from django_tasks.backends.base import BaseTaskBackend  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]
    from django_tasks.base import (  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]
        DEFAULT_TASK_PRIORITY,
        TaskContext,
        TaskError,
        TaskResult,
        TaskResultStatus,
    )
    from django_tasks.exceptions import (  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]
        InvalidTaskError as InvalidTask,
    )
    from django_tasks.signals import (  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]
        task_enqueued,
        task_finished,
        task_started,
    )
    from django_tasks.utils import normalize_json  # type: ignore[import-not-found,import-untyped,no-redef,assignment,unused-ignore]

RUN_TASK_NAME = "django_signal_notifier.run_task"
# Message headers naming the TASKS alias and the queue the task was enqueued with, so the
# worker's TaskResult (and so its signals) describe the task as the enqueuing process saw it.
BACKEND_HEADER = "django_signal_notifier_backend"
QUEUE_HEADER = "django_signal_notifier_queue"

_package_app: Celery | None = None


def package_app() -> Celery:
    """The package's own Celery app, configured from the ``CELERY_*`` settings; made on first use."""
    global _package_app
    if _package_app is None:
        # Not made current: a project's own app, even one created later, keeps that place.
        app = Celery("django_signal_notifier", set_as_current=False)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        _package_app = app
    return _package_app


def project_app() -> Celery | None:
    """The Celery app the project made current or default (Celery's Django layout), if any."""
    from celery import _state

    # Celery answers ``current_app`` with a broker-less fallback app when none was created; that
    # fallback ignores the Django settings, so it must not be mistaken for the project's app.
    app = _state._tls.current_app or _state.default_app
    if app is None or (app.main == "default" and not app.fixups):
        return None
    return app  # type: ignore[no-any-return]


def resolve_app(path: str | None) -> Celery:
    """The app named by ``OPTIONS["app"]`` (``"mysite.celery.app"`` or ``"mysite.celery:app"``), else
    the project's app, else the package's."""
    if path:
        app = import_string(path.replace(":", "."))
        if not isinstance(app, Celery):
            raise TypeError(f"OPTIONS['app'] = {path!r} is a {type(app).__name__}, not a Celery app")
        return app
    return project_app() or package_app()


def __getattr__(name: str) -> Any:
    # ``celery -A django_signal_notifier.delivery.backends.celery worker`` and 1.0.0a1's
    # ``from ….celery import app`` find the package app here, created only when asked for.
    if name == "app":
        return package_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# acks_late: a worker killed mid-task leaves the message to be delivered again by the broker;
# the outbox's claims make that second run send only what the first did not record.
@shared_task(  # type: ignore[untyped-decorator,misc,unused-ignore]
    name=RUN_TASK_NAME, bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def run_task(self: Any, module_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run a Tasks API task in a Celery worker, sending ``task_started`` and ``task_finished``."""
    request = self.request
    task = _task_for(import_string(module_path), request)
    started = timezone.now()
    result: Any = TaskResult(
        task=task,
        id=str(request.id),
        status=TaskResultStatus.RUNNING,
        enqueued_at=None,
        started_at=started,
        last_attempted_at=started,
        finished_at=None,
        args=list(args),
        kwargs=dict(kwargs),
        backend=task.backend,
        errors=[],
        worker_ids=[str(request.hostname or "celery")] * (int(request.retries or 0) + 1),
    )
    sender = type(task.get_backend())
    task_started.send(sender=sender, task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            value = task.call(*args, **kwargs)
    except BaseException as error:
        kind = type(error)
        result.errors.append(
            TaskError(
                exception_class_path=f"{kind.__module__}.{kind.__qualname__}",
                traceback="".join(traceback.format_exception(error)),
            )
        )
        _finish(result, TaskResultStatus.FAILED)
        task_finished.send(sender=sender, task_result=result)
        raise
    object.__setattr__(result, "_return_value", normalize_json(value))
    _finish(result, TaskResultStatus.SUCCESSFUL)
    task_finished.send(sender=sender, task_result=result)
    return value


def _task_for(task: Any, request: Any) -> Any:
    """The Task as the enqueuing process configured it: its backend alias and its queue."""
    alias, queue = (_header(request, name) for name in (BACKEND_HEADER, QUEUE_HEADER))
    try:
        return task.using(backend=alias or None, queue_name=queue or None)
    except Exception:  # this worker's TASKS lack that alias or queue: run it as declared
        return task


def _header(request: Any, name: str) -> str | None:
    # Celery puts custom headers on the request itself (and, depending on the protocol, in .headers).
    value = getattr(request, name, None) or (getattr(request, "headers", None) or {}).get(name)
    return str(value) if value else None


def _finish(result: Any, status: Any) -> None:
    object.__setattr__(result, "status", status)
    object.__setattr__(result, "finished_at", timezone.now())


class CeleryBackend(BaseTaskBackend):  # type: ignore[misc,valid-type,unused-ignore]
    """Enqueues Tasks API tasks as Celery messages on the project's Celery app."""

    supports_defer = True
    supports_async_task = True
    supports_get_result = False
    supports_priority = False

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        unknown = set(self.options) - {"app"}
        if unknown:
            raise ImproperlyConfigured(
                f"TASKS[{alias!r}]['OPTIONS'] has unknown keys {sorted(unknown)}; CeleryBackend accepts only 'app'"
            )

    @property
    def app(self) -> Celery:
        """The Celery app this backend sends through (resolved on each use: settings may change)."""
        return resolve_app(self.options.get("app"))

    def validate_task(self, task: Any) -> None:
        if task.priority != DEFAULT_TASK_PRIORITY:
            raise InvalidTask(
                "CeleryBackend sends no priorities (Celery's brokers disagree on what one means); "
                "route urgent tasks to a queue of their own with .using(queue_name=...)."
            )
        super().validate_task(task)

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        result_id = uuid.uuid4().hex
        args, kwargs = normalize_json(list(args)), normalize_json(dict(kwargs))
        self.app.send_task(
            RUN_TASK_NAME,
            args=[task.module_path, args, kwargs],
            queue=task.queue_name,
            eta=task.run_after,
            task_id=result_id,
            headers={BACKEND_HEADER: self.alias, QUEUE_HEADER: task.queue_name},
        )
        result: Any = TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(sender=type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> Any:
        raise NotImplementedError(
            "CeleryBackend stores no task results (supports_get_result is False): "
            "django-signal-notifier records each outcome on its Delivery row."
        )

    def check(self, **kwargs: Any) -> Iterable[checks.CheckMessage]:  # type: ignore[override,unused-ignore]
        yield from super().check(**kwargs)
        try:
            app = self.app
        except Exception as error:
            yield checks.Error(
                f"TASKS[{self.alias!r}]: the Celery app cannot be loaded: {error}",
                hint="OPTIONS['app'] is the dotted path of a Celery instance, e.g. 'mysite.celery.app'.",
                id="signal_notifier.E046",
            )
            return
        if not app.conf.broker_url:
            yield checks.Warning(
                f"TASKS[{self.alias!r}]: the Celery app {app.main!r} has no broker_url; "
                "Celery would use amqp://guest@localhost//.",
                hint="Set CELERY_BROKER_URL (or your app's broker_url).",
                id="signal_notifier.W046",
            )


__all__ = ["CeleryBackend", "package_app", "project_app", "resolve_app", "run_task"]
