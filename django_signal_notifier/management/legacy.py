"""What 0.2.1's management commands share: its details functions and its signal_kwargs, as events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.module_loading import import_string

from django_signal_notifier.events.snapshot import SignalEvent


def call_details_function(command: Any, path: str, debug: bool) -> dict[str, Any] | None:
    """Import and call one of 0.2.1's "get details" functions; None (and a message) when it fails.

    ``--debug`` lets its exception through, as 0.2.1 did.
    """
    try:
        function = import_string(path)
    except ImportError as problem:
        raise CommandError(f"Cannot import {path!r}: {problem}")
    try:
        details = function()
    except Exception as problem:
        if debug:
            raise
        command.stderr.write(f"{path} raised {type(problem).__name__}: {problem}. Use --debug to see where.")
        return None
    if not isinstance(details, dict):
        command.stderr.write(f"{path} returned {type(details).__name__}, not a dict.")
        return None
    return details


def signal_event(verb: str, signal_kwargs: dict[str, Any]) -> SignalEvent:
    """0.2.1's signal_kwargs (``sender``, ``instance``, ``actor_object``, ``target``, …) as one signal send."""
    kwargs = dict(signal_kwargs)
    sender = kwargs.pop("sender", None)
    instance = kwargs.get("instance")
    if sender is None and instance is not None:
        sender = type(instance)
    return SignalEvent.from_signal(verb, sender, kwargs)
