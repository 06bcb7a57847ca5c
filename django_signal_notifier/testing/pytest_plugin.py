"""pytest plugin: the ``notifications`` fixture.

Opt-in, so installing the package changes no project's pytest: add
``pytest_plugins = ["django_signal_notifier.testing.pytest_plugin"]`` to your top-level conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from django_signal_notifier.testing.capture import NotificationOutbox, capture_notifications


@pytest.fixture
def notifications(db: None) -> Iterator[NotificationOutbox]:
    """What the test sent, captured instead of sent (see ``capture_notifications``).

    Reading it runs the on-commit callbacks registered so far, as a commit would, so the
    messages of a save() made in the test are there to assert on.
    """
    with capture_notifications() as outbox:
        yield outbox
