"""Settings of the writer and worker processes the reliability tests start.

The test settings, plus: the durable recording channel registered, a task backend that only
records enqueues (the worker processes deliver, not the writers), and a short claim lease so a
killed worker's deliveries are taken again within seconds.
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import SIGNAL_NOTIFIER as _BASE
from tests.support.taskpaths import TASK_BACKENDS

TASKS = {"default": {"BACKEND": f"{TASK_BACKENDS}.dummy.DummyBackend"}}
SIGNAL_NOTIFIER = {
    **_BASE,
    "MESSENGERS": ["tests.support.recording.LoadRecordingMessenger"],
    "CLAIM_TIMEOUT": float(os.environ.get("DSN_REL_CLAIM_TIMEOUT", "10")),
    "DELIVERY_BATCH_SIZE": int(os.environ.get("DSN_REL_BATCH", "20")),
    "RETRY_BASE_DELAY": 0.05,
    "RETRY_MAX_DELAY": 0.2,
    "MAX_ATTEMPTS": 50,
}
