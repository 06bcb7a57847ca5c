"""Shared destinations: a channel, a group chat or a team URL is not a person.

When a backend sends every recipient's message to one place, identical messages in one batch
are sent once and every delivery gets that one outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence

from django_signal_notifier.messengers.base import Message, Messenger, SendResult


def send_once_per_destination(
    messenger: Messenger, messages: Sequence[Message], key: Callable[[Message], Hashable]
) -> Iterator[SendResult]:
    """Send each distinct ``key(message)`` once; duplicates repeat the first one's result."""
    done: dict[Hashable, SendResult] = {}
    for message in messages:
        found = key(message)
        earlier = done.get(found)
        if earlier is not None:
            yield SendResult(message, earlier.status, earlier.error, earlier.retry_after)
            continue
        result = messenger._attempt(message)
        done[found] = result
        yield result
