"""Settings for the worker subprocesses of the tests (tests/support/workers.py): the test database, real brokers.

The test passes the test database's name (DSN_PG_NAME) and the worker's knobs in the environment.
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, INSTALLED_APPS
from tests.support.taskpaths import TASK_BACKENDS

DATABASES["default"]["NAME"] = os.environ.get("DSN_PG_NAME", DATABASES["default"]["NAME"])
INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]  # its rqworker command
if os.environ.get("DSN_CONN_MAX_AGE"):  # persistent connections ("none": for ever), as in many deployments
    _age = os.environ["DSN_CONN_MAX_AGE"]
    DATABASES["default"]["CONN_MAX_AGE"] = None if _age == "none" else int(_age)

TASKS = {
    "default": {"BACKEND": f"{TASK_BACKENDS}.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "celery": {
        "BACKEND": "django_signal_notifier.delivery.backends.celery.CeleryBackend",
        "QUEUES": ["default", "urgent"],
    },
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
CELERY_BROKER_URL = os.environ.get("DSN_CELERY_BROKER", "redis://127.0.0.1:6379/5")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": float(os.environ.get("DSN_CELERY_VISIBILITY", "3600"))}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker holds only the message it runs (acks_late): the next chunk goes to whichever is free.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

SIGNAL_NOTIFIER = {
    "CONFIG_CHECK_INTERVAL": 0.2,
    "TASK_BACKEND": os.environ.get("DSN_TASK_BACKEND", "default"),
    "CLAIM_TIMEOUT": float(os.environ.get("DSN_CLAIM_TIMEOUT", "300")),
    "DELIVERY_BATCH_SIZE": int(os.environ.get("DSN_DELIVERY_BATCH_SIZE", "100")),
    "FANOUT_CHUNK_SIZE": int(os.environ.get("DSN_FANOUT_CHUNK_SIZE", "1000")),
    "RETRY_BASE_DELAY": float(os.environ.get("DSN_RETRY_BASE_DELAY", "30")),
    "MESSENGERS": ["tests.support.recording.DurableRecordingMessenger"],
    "FANOUT_RESUME_AFTER": float(os.environ.get("DSN_FANOUT_RESUME_AFTER", "60")),
}
