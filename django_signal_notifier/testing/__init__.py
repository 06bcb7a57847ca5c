"""Test helpers for projects that use django-signal-notifier.

``capture_notifications()`` runs the real pipeline (triggers, recipients, rendering, Delivery
rows, the in-site inbox) but hands every message that would leave the process to an in-memory
outbox instead of its channel, like Django's ``mail.outbox``::

    from django_signal_notifier.testing import capture_notifications

    def test_author_is_notified(client, author):
        with capture_notifications() as sent:
            client.post("/comments/", {...})
        sent.assert_sent(to=author, channel="EmailMessenger", contains="New comment")

With pytest, the ``notifications`` fixture gives the same outbox for a whole test. Its plugin is
opt-in: add ``pytest_plugins = ["django_signal_notifier.testing.pytest_plugin"]`` to the project's
top-level conftest.py.
"""

from __future__ import annotations

from django_signal_notifier.messengers.testing import TestMessenger
from django_signal_notifier.testing.capture import CapturedMessage, NotificationOutbox, capture_notifications

__all__ = ["CapturedMessage", "NotificationOutbox", "TestMessenger", "capture_notifications"]
