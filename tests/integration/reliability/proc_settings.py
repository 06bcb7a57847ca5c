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
# runs the whole fan-out itself) or "database" (django-tasks-db; db_worker processes run the tasks).
_TASK_BACKEND_PATHS = {
    "dummy": f"{TASK_BACKENDS}.dummy.DummyBackend",
    "immediate": f"{TASK_BACKENDS}.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
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
