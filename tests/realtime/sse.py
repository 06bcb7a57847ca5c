"""Reading Server-Sent Events in tests: from Django's async test client or from an httpx stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Message:
    """One SSE message (a heartbeat comment has event "heartbeat" and no data)."""

    event: str
    data: Any
    id: int | None


def parse(block: str) -> Message | None:
    fields: dict[str, str] = {}
    for line in block.splitlines():
        if line.startswith(":"):
            return Message("heartbeat", None, None)
        name, _, value = line.partition(":")
        fields[name] = value.lstrip(" ")
    if "event" not in fields:
        return None  # "retry:" alone
    return Message(
        fields["event"], json.loads(fields.get("data", "null")), int(fields["id"]) if "id" in fields else None
    )


async def messages_of(chunks: AsyncIterator[bytes]) -> AsyncIterator[Message]:
    """The messages of a stream of byte chunks, however they were cut."""
    buffer = ""
    async for chunk in chunks:
        buffer += chunk.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            message = parse(block)
            if message is not None:
                yield message


async def read_until(
    stream: AsyncIterator[Message], done: Callable[[list[Message]], bool], timeout: float = 5.0
) -> list[Message]:
    """Messages until ``done(messages)`` holds; AssertionError after ``timeout`` seconds."""
    seen: list[Message] = []

    async def collect() -> None:
        async for message in stream:
            seen.append(message)
            if done(seen):
                return

    try:
        await asyncio.wait_for(collect(), timeout)
    except TimeoutError:
        raise AssertionError(f"not seen within {timeout} s; got {seen}") from None
    return seen


def events(messages: list[Message]) -> list[str]:
    return [m.event for m in messages if m.event != "heartbeat"]
