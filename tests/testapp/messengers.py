"""A messenger for the delivery tests: it records every real send as a SentRecord row.

Behaviour is driven by the Backend's options (in-process tests) and by environment variables
(worker subprocesses): fail the first N attempts, fail permanently, answer 429, or hang / pause
at the N-th message this process handles so a test can kill or overlap workers deterministically.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from django_signal_notifier.delivery.retry import error_for_http_status
from django_signal_notifier.exceptions import PermanentDeliveryError
from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.registry import template_registry

HANG_LIMIT_SECONDS = 120.0  # a hanging worker is killed by the test long before this


def _wait_for(path: str | None, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not (path and Path(path).exists()):
        time.sleep(0.02)


@template_registry.register
class ArticleTitleTemplate(MessageTemplate):
    """Renders fields of the instance, so a message about a deleted article shows its title."""

    subject = "{{ verb }}: {{ instance.title }}"
    template_string = "Article “{{ instance.title }}” ({{ instance.body }}) for {{ recipient }}"


@messenger_registry.register
class DurableRecordingMessenger(Messenger):
    """Writes a SentRecord per message; see the module docstring for the failure knobs."""

    name = "DurableRecordingMessenger"
    label = "Record sends (tests)"
    default_template = "ArticleTitleTemplate"
    option_names = ("fail_times", "permanent", "retry_after")
    attempts: ClassVar[Counter[int]] = Counter()
    handled: ClassVar[int] = 0

    def get_address(self, user: Any) -> str | None:
        return None if user is None else str(user.get_username())

    def send_message(self, message: Message) -> None:
        from tests.testapp.models import SentRecord

        cls = type(self)
        cls.handled += 1
        self._checkpoint("before")
        assert message.delivery_id is not None
        cls.attempts[message.delivery_id] += 1
        attempt = cls.attempts[message.delivery_id]
        if self.options.get("permanent"):
            raise PermanentDeliveryError(f"no such mailbox: {message.address}")
        if attempt <= int(self.options.get("fail_times", 0)):
            if self.options.get("retry_after") is not None:
                error = error_for_http_status(429, "slow down", str(self.options["retry_after"]))
                assert error is not None
                raise error
            raise error_for_http_status(503, f"unavailable (attempt {attempt})") or RuntimeError()
        SentRecord.objects.create(
            delivery_id=message.delivery_id, pid=os.getpid(), address=message.address, text=message.text
        )
        self._checkpoint("after")

    def _checkpoint(self, phase: str) -> None:
        handled = type(self).handled
        if os.environ.get("DSN_TEST_HANG_PHASE", "before") == phase and str(handled) == os.environ.get(
            "DSN_TEST_HANG_AT"
        ):
            _wait_for(None, HANG_LIMIT_SECONDS)  # hang here until the test kills this worker
        if phase == "after" and str(handled) == os.environ.get("DSN_TEST_PAUSE_AT"):
            _wait_for(os.environ.get("DSN_TEST_PAUSE_FILE"), 60.0)
