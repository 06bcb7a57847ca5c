"""S4: one event to N e-mail recipients through a real SMTP server (aiosmtpd) on loopback.

Engine: ``Post`` created in a transaction; on commit the fan-out writes N Delivery rows, the
default (immediate) task backend runs the deliveries, and the ``EmailMessenger`` sends them
through Django's SMTP backend. Reference: ``send_mass_mail`` of the same N messages over one
connection. Reported as not available when no messenger is registered as ``EmailMessenger``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.mail import send_mass_mail
from django.db import transaction
from django.test.utils import override_settings

from benchmarks.benchapp.models import Post
from benchmarks.harness import (
    Result,
    Settings,
    compare,
    count_queries,
    make_users,
    notify_on_post,
    receivers_disconnected,
    refresh_index,
)

NAME = "S4"
TITLE = "one event, N e-mail recipients (SMTP on loopback)"
TARGET = "ratio ≤ 1.3"
MESSENGER = "EmailMessenger"


class CountingHandler:
    """aiosmtpd handler: accepts every message and counts recipients."""

    def __init__(self) -> None:
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[int, CountingHandler]]:
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def run(settings: Settings) -> list[Result]:
    from django_signal_notifier.messengers.registry import messenger_registry

    size = settings.pick(1_000, 20)
    case = f"{size:,} e-mail recipients"
    if messenger_registry.get(MESSENGER) is None:
        return [
            Result(
                NAME,
                case,
                TARGET,
                available=False,
                notes=f"not available: no messenger is registered as {MESSENGER!r} in this build",
            )
        ]
    users = make_users(size, "s4_")
    group = Group.objects.create(name="s4-readers")
    group.user_set.set(users)
    results = []
    for template, label, flush_seconds in CASES:
        subscription = notify_on_post(MESSENGER, groups=[group], template=template)
        options = {**django_settings.SIGNAL_NOTIFIER, "SENT_FLUSH_SECONDS": flush_seconds}
        try:
            with override_settings(SIGNAL_NOTIFIER=options):
                target = label == CASES[0][1]
                results.append(_measure(settings, users, size, f"{case}, {label}", template, target))
        finally:
            subscription.trigger.delete()
    return results


# The target case sends what the reference sends, recording each message's outcome before the
# next one is sent (the default). For information: the package's default email template (a
# greeting per recipient, an HTML alternative), and outcomes recorded together once a second
# (SENT_FLUSH_SECONDS = 1: fewer writes, but a killed worker may send up to a second's worth
# of messages again).
CASES = [
    ("ReferenceEmailTemplate", "the reference's messages", 0.0),
    ("", "default template (text + HTML, per recipient)", 0.0),
    ("ReferenceEmailTemplate", "the reference's messages, SENT_FLUSH_SECONDS=1", 1.0),
]


def _measure(settings: Settings, users: list[Any], size: int, case: str, template: str, target: bool) -> Result:
    # The target case gets more rounds: the SMTP server shares this process (and the GIL), so
    # single rounds vary by ±15%; the median of 9 is steadier.
    rounds = settings.pick(9 if target else 5, 1)
    with (
        smtp_server() as (port, handler),
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
        ),
    ):
        refresh_index()

        def engine() -> None:
            with transaction.atomic():
                Post.objects.create(title="Hello")

        def reference() -> None:
            with transaction.atomic():
                post = Post.objects.create(title="Hello")
            subject = f"created post “{post}”"
            body = f"created post “{post}”."
            send_mass_mail([(subject, body, None, [u.email]) for u in users])

        engine_s, reference_s, rounds = compare(
            engine,
            reference,
            rounds=rounds,
            reference_context=receivers_disconnected,
            budget=settings.pick(45 if target else 30, 5),
        )
        expected = 2 * size * (rounds + 1)
        if handler.received != expected:
            raise AssertionError(f"S4: the SMTP server received {handler.received} messages, expected {expected}")
        refresh_index()
        engine_q = count_queries(engine)
        with receivers_disconnected():
            reference_q = count_queries(reference)
    result = Result(
        NAME,
        case,
        TARGET if target else "— (for information)",
        engine_s,
        reference_s,
        "send_mass_mail over one connection",
        engine_q,
        reference_q,
    )
    result.met = (result.ratio or 0.0) <= 1.3 if target else None
    result.extra = {"recipients": size, "rounds": rounds, "template": template or "EmailMessageTemplate (default)"}
    return result
