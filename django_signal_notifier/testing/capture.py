"""capture_notifications(): the real pipeline with an in-memory outbox in place of the channels."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.db import DEFAULT_DB_ALIAS, connections

from django_signal_notifier.messengers.base import Message, Messenger, SendResult, call_write_inline
from django_signal_notifier.messengers.registry import messenger_registry

logger = logging.getLogger("django_signal_notifier.testing")


@dataclass
class CapturedMessage:
    """One message that would have been sent: its channel, recipient and rendered parts."""

    channel: str
    recipient_id: Any
    address: str
    subject: str = ""
    text: str = ""
    html: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    verb: str = ""
    event_id: int | None = None
    delivery_id: int | None = None
    recipient: Any = None

    @property
    def body(self) -> str:
        """Every rendered part in one string (what ``contains=`` searches)."""
        return "\n".join(part for part in (self.subject, self.text, self.html, self.url) if part)


def _user_id(user: Any) -> Any:
    return getattr(user, "pk", user)


class NotificationOutbox(list[CapturedMessage]):
    """The captured messages, in send order, with filters and assertions.

    While its capture is active, reading the outbox first runs the on-commit callbacks
    registered so far (what a commit would do), so assertions see the fan-out's messages.
    """

    _pending: OnCommitRunner | None = None

    def settle(self) -> None:
        """Run the on-commit callbacks registered so far (no-op once the capture has ended)."""
        if self._pending is not None:
            self._pending.run()

    def __len__(self) -> int:
        self.settle()
        return super().__len__()

    def __iter__(self) -> Iterator[CapturedMessage]:
        self.settle()
        return super().__iter__()

    def __getitem__(self, index: Any) -> Any:
        self.settle()
        return super().__getitem__(index)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        self.settle()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self.settle()
        return super().__repr__()

    def for_user(self, user: Any) -> NotificationOutbox:
        """The messages to ``user`` (a user or a user id)."""
        wanted = _user_id(user)
        return NotificationOutbox(m for m in self if m.recipient_id is not None and str(m.recipient_id) == str(wanted))

    def on_channel(self, channel: str) -> NotificationOutbox:
        """The messages sent on ``channel`` (a messenger name such as ``"EmailMessenger"``)."""
        return NotificationOutbox(m for m in self if m.channel == channel)

    def with_verb(self, verb: str) -> NotificationOutbox:
        """The messages about events of ``verb``."""
        return NotificationOutbox(m for m in self if m.verb == verb)

    def containing(self, text: str) -> NotificationOutbox:
        """The messages whose subject, text, HTML or URL contains ``text``."""
        return NotificationOutbox(m for m in self if text in m.body)

    def recipients(self) -> set[Any]:
        """The ids of the users who received at least one message."""
        return {m.recipient_id for m in self if m.recipient_id is not None}

    def channels(self) -> set[str]:
        return {m.channel for m in self}

    def assert_sent(
        self,
        *,
        to: Any = None,
        channel: str | None = None,
        contains: str | None = None,
        verb: str | None = None,
        count: int | None = None,
    ) -> NotificationOutbox:
        """Assert that matching messages were sent (exactly ``count`` of them if given); returns them."""
        found = self
        if to is not None:
            found = found.for_user(to)
        if channel is not None:
            found = found.on_channel(channel)
        if verb is not None:
            found = found.with_verb(verb)
        if contains is not None:
            found = found.containing(contains)
        wanted = {"to": to, "channel": channel, "contains": contains, "verb": verb}
        described = ", ".join(f"{k}={v!r}" for k, v in wanted.items() if v is not None) or "any"
        if count is None and not found:
            raise AssertionError(f"No notification matching {described} was sent. Sent:\n{self.summary()}")
        if count is not None and len(found) != count:
            raise AssertionError(
                f"Expected {count} notification(s) matching {described}, got {len(found)}. Sent:\n{self.summary()}"
            )
        return found

    def assert_not_sent(
        self,
        *,
        to: Any = None,
        channel: str | None = None,
        contains: str | None = None,
        verb: str | None = None,
    ) -> None:
        """Assert that no message matches (the keywords of :meth:`assert_sent`, without ``count``)."""
        self.assert_sent(to=to, channel=channel, contains=contains, verb=verb, count=0)

    def assert_nothing_sent(self) -> None:
        if self:
            raise AssertionError(f"Expected no notification, got {len(self)}:\n{self.summary()}")

    def summary(self) -> str:
        """One line per message: channel, recipient, subject or text."""
        if not self:
            return "  (nothing)"
        return "\n".join(
            f"  {m.channel} -> {m.address or m.recipient_id}: {(m.subject or m.text)[:80]!r}" for m in self
        )


class OnCommitRunner:
    """Runs the on-commit callbacks registered on ``using`` since it was created, as a commit would."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.start = len(connections[using].run_on_commit)
        self.running = False

    def run(self) -> None:
        connection = connections[self.using]
        if self.running or not connection.in_atomic_block:
            return  # outside a transaction, on_commit callbacks have already run
        self.running = True
        try:
            while True:
                count = len(connection.run_on_commit)
                pending: list[Any] = list(connection.run_on_commit[self.start : count])
                for entry in pending:  # (savepoint ids, callback, robust)
                    callback, robust = entry[1], bool(entry[2]) if len(entry) > 2 else False
                    if robust:
                        try:
                            callback()
                        except Exception:
                            logger.exception("on-commit callback %r failed", callback)
                    else:
                        callback()
                self.start = count
                if count == len(connection.run_on_commit):
                    break
        finally:
            self.running = False


def _capturing(messenger_cls: type[Messenger], outbox: NotificationOutbox) -> type[Messenger]:
    """A subclass of ``messenger_cls`` that records instead of sending (same name, same addresses)."""
    channel = messenger_cls.channel_name()

    def send_batch(self: Messenger, messages: Sequence[Message]) -> Iterator[SendResult]:
        for message in messages:
            outbox.append(
                CapturedMessage(
                    channel=channel,
                    recipient_id=_user_id(message.recipient),
                    recipient=message.recipient,
                    address=message.address,
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                    url=message.url,
                    data=dict(message.data),
                    verb=message.verb,
                    event_id=message.event_id,
                    delivery_id=message.delivery_id,
                )
            )
            yield SendResult(message, "sent")

    def write_inline(
        self: Messenger,
        event_row: Any,
        items: Iterable[tuple[Any, Any]],
        snapshot: dict[str, Any],
        group_key: str = "",
    ) -> int:
        items = list(items)
        written = call_write_inline(messenger_cls, self, event_row, items, snapshot, group_key)
        for recipient_id, rendered in items:
            outbox.append(
                CapturedMessage(
                    channel=channel,
                    recipient_id=recipient_id,
                    address=str(recipient_id),
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    url=rendered.url,
                    data=dict(rendered.data),
                    verb=event_row.verb,
                    event_id=event_row.pk,
                )
            )
        return written

    attrs: dict[str, Any] = {"name": channel, "send_batch": send_batch, "__module__": messenger_cls.__module__}
    if messenger_cls.inline:
        attrs["write_inline"] = write_inline
    return type(messenger_cls.__name__, (messenger_cls,), attrs)


@contextmanager
def capture_notifications(*, run_on_commit: bool = True, using: str = DEFAULT_DB_ALIAS) -> Iterator[NotificationOutbox]:
    """Capture what the pipeline sends inside the block instead of sending it.

    Everything real runs: matching, the Event row, recipients, rendering, Delivery rows (which end
    ``sent``) and the in-site inbox rows (written, and captured too). Messages that would leave the
    process are appended to the yielded outbox; 0.2.1-style messengers are not called. Deliveries
    are handed over in-process, whatever ``TASK_BACKEND`` is.

    ``run_on_commit``: in a test wrapped in a transaction (pytest-django's ``django_db``, Django's
    ``TestCase``), run the on-commit callbacks registered in the block as a commit would: when
    the outbox is read and when the block ends.
    """
    outbox = NotificationOutbox()
    wrapped: dict[type[Messenger], type[Messenger]] = {}
    real_get = messenger_registry.get

    def get(name: str) -> type[Messenger] | None:
        cls = real_get(name)
        if cls is None:
            return None
        if cls not in wrapped:
            wrapped[cls] = _capturing(cls, outbox)
        return wrapped[cls]

    def deliver_in_process(delivery_ids: list[int]) -> None:
        # Here, not at the top: the pytest plugin imports this module before Django is set up.
        from django_signal_notifier.delivery.outbox import deliver_due

        deliver_due(ids=delivery_ids)

    def legacy(messenger_cls: type[Messenger], template: Any, user: Any, trigger: Any, context: dict[str, Any]) -> None:
        rendered = template.render_message({**context, "recipient": user, "user": user})
        outbox.append(
            CapturedMessage(
                channel=messenger_cls.channel_name(),
                recipient_id=_user_id(user),
                recipient=user,
                address=str(user),
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                url=rendered.url,
                verb=str(context.get("verb", "")),
            )
        )

    runner = OnCommitRunner(using) if run_on_commit else None
    outbox._pending = runner
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(messenger_registry, "get", get))
        stack.enter_context(mock.patch("django_signal_notifier.delivery.tasks.enqueue_deliveries", deliver_in_process))
        stack.enter_context(mock.patch("django_signal_notifier.delivery.outbox.send_legacy", legacy))
        try:
            yield outbox
        finally:
            outbox.settle()
            outbox._pending = None
