"""Settings of the writer and worker processes the reliability tests start.

The test settings, plus: the durable recording channel registered, a task backend that only
records enqueues (the worker processes deliver, not the writers), and a short claim lease so a
killed worker's deliveries are taken again within seconds.
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import SIGNAL_NOTIFIER as _BASE
from tests.support.taskpaths import TASK_BACKENDS

# DSN_REL_TASKS: "dummy" (tasks are recorded, worker processes deliver), "immediate" (the sender
# runs the whole fan-out itself), "database" (django-tasks-db; db_worker processes run the tasks)
# or "celery" (the package's Celery backend; `celery worker` processes run them).
_TASK_BACKEND_PATHS = {
    "dummy": f"{TASK_BACKENDS}.dummy.DummyBackend",
    "immediate": f"{TASK_BACKENDS}.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "celery": "django_signal_notifier.delivery.backends.celery.CeleryBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKEND_PATHS[os.environ.get("DSN_REL_TASKS", "dummy")]}}
SIGNAL_NOTIFIER = {
    **_BASE,
    "MESSENGERS": ["tests.support.recording.LoadRecordingMessenger"],
    "CLAIM_TIMEOUT": float(os.environ.get("DSN_REL_CLAIM_TIMEOUT", "10")),
    "DELIVERY_BATCH_SIZE": int(os.environ.get("DSN_REL_BATCH", "20")),
    "RETRY_BASE_DELAY": 0.05,
    "RETRY_MAX_DELAY": 0.2,
    "MAX_ATTEMPTS": 50,
    "FANOUT_CHUNK_SIZE": int(os.environ.get("DSN_REL_FANOUT_CHUNK", "1000")),
    "FANOUT_RESUME_AFTER": float(os.environ.get("DSN_REL_RESUME_AFTER", "60")),
}

# The Celery runs: the broker (Redis), and a key prefix of the test's own so that other runs on the
# same Redis database never consume its messages; a short visibility timeout, so that the message of
# a worker killed mid-task (acks_late) is delivered again within seconds.
CELERY_BROKER_URL = os.environ.get("DSN_CELERY_BROKER", "redis://127.0.0.1:6379/5")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": float(os.environ.get("DSN_CELERY_VISIBILITY", "3600")),
    "global_keyprefix": os.environ.get("DSN_CELERY_PREFIX", ""),
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
