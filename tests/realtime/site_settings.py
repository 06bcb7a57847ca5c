"""Settings of the demo site served by a real uvicorn process on the test database (the browser test).

The test settings (DSN_TEST_DB, DSN_PG_NAME name the database the test process created) with the
demo's URLs and templates, and the PostgreSQL broker.
"""

import copy

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "demo.urls"
# The demo's template overrides (demo/demo/settings.py: the package's pages in the blog's layout).
TEMPLATES = copy.deepcopy(TEMPLATES)  # noqa: F405
TEMPLATES[0]["DIRS"] = [BASE_DIR.parent / "demo" / "templates"]  # noqa: F405
SIGNAL_NOTIFIER = {
    **SIGNAL_NOTIFIER,  # noqa: F405
    # Polling would show itself within the test: one request a second.
    "INBOX_POLL_INTERVAL": 1,
    "REALTIME_BROKER": "postgres",
    "REALTIME_HEARTBEAT": 2.0,
}
