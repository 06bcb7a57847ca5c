"""Address sources used by the channel tests through dotted paths."""

from typing import Any


def chat_id(user: Any) -> str:
    return f"chat-for-{user.username}"


def apprise_url(user: Any) -> str | None:
    return user.first_name or None
