"""``signal_notifier test-send``: a real test message through a backend or a messenger (0.2.1's test_messenger)."""

from __future__ import annotations

import argparse
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.management.cli.common import FAILED, OK, CommandInputError, emit_json, error, find_user
from django_signal_notifier.messengers.base import Message
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Notification
from django_signal_notifier.rendering.base import RenderedMessage

help = (
    "Send a test message through a backend's messenger (or, with --messenger, a messenger with no stored backend) "
    "to a user or an address, and print the outcome."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backend", nargs="?", help="The backend's id or key (or use --messenger).")
    parser.add_argument(
        "--messenger",
        help="A registered messenger's name, or the dotted path of its class, instead of a stored backend "
        "(the message is sent here and now, not recorded in the delivery log).",
    )
    to = parser.add_mutually_exclusive_group(required=True)
    to.add_argument("--user", help="The recipient's username (or #pk); the messenger finds the address.")
    to.add_argument("--address", help="Send to this address (e-mail, chat id, phone number, URL…).")
    parser.add_argument("--text", help="The message's text (default: the messenger's test message).")
    parser.add_argument("--json", action="store_true", help="Print JSON (for scripts).")


def handle(command: Any, options: dict[str, Any]) -> int:

    try:
        backend, messenger_cls = _channel(options.get("backend"), options.get("messenger"))
        user = find_user(options["user"]) if options.get("user") else None
    except CommandInputError as problem:
        return error(command, str(problem))
    if user is None and messenger_cls.inline:
        return error(command, f"{messenger_cls.channel_name()} writes to a user's inbox: use --user, not --address.")
    text = options.get("text") or str(messenger_cls.test_message)
    result = _send(backend, messenger_cls, user, options.get("address") or "", text)
    if options["json"]:
        emit_json(command, result)
    else:
        to = result["address"] or result["recipient"]
        line = f"{result['channel']} -> {to}: {result['status']}"
        if result["error"]:
            line += f" ({result['error']})"
        style = command.style.SUCCESS if result["status"] in ("sent", "written") else command.style.ERROR
        command.stdout.write(style(line))
        if result["delivery"]:
            command.stdout.write(f"Recorded as delivery {result['delivery']}.")
    return OK if result["status"] in ("sent", "written") else FAILED


def _channel(reference: str | None, messenger: str | None) -> tuple[Any, Any]:
    """(the stored backend or None, its messenger class) from the backend id/key or --messenger."""
    if (reference is None) == (messenger is None):
        raise CommandInputError("Give a backend's id or key, or --messenger, not both.")
    if messenger is not None:
        found = messenger_registry.get(messenger)
        if found is None and "." in messenger:
            try:
                candidate = import_string(messenger)
            except ImportError as problem:
                raise CommandInputError(f"Cannot import {messenger!r}: {problem}.")
            found = messenger_registry.get(getattr(candidate, "__name__", ""))
            if found is not candidate:
                raise CommandInputError(f"{messenger} is not a registered messenger.")
        if found is None:
            raise CommandInputError(f"No messenger is registered as {messenger!r}.")
        return None, found
    reference = str(reference)
    backend = Backend.objects.filter(pk=int(reference)).first() if reference.isdigit() else None
    if backend is None:
        backend = Backend.objects.filter(key=reference).first()
    if backend is None:
        raise CommandInputError(f"No backend {reference!r} (give its id or key).")
    messenger_cls = messenger_registry.get(backend.messenger)
    if messenger_cls is None:
        raise CommandInputError(
            f"Backend {backend.pk} names the messenger {backend.messenger!r}, which is not registered."
        )
    return backend, messenger_cls


def _send(backend: Any, messenger_cls: Any, user: Any, address: str, text: str) -> dict[str, Any]:
    """Send the test message here and now: recorded as an Event and a Delivery when it goes through a backend."""

    rendered = RenderedMessage(subject=_("Test message"), text=text)
    snapshot = {"sender": "signal_notifier test-send", "kwargs": {}, "extra": {"test": True}}
    channel = messenger_cls.channel_name()
    messenger = messenger_cls(dict(backend.options or {}) if backend is not None else {})
    if user is not None and not address and not messenger_cls.inline:
        try:
            address = str(messenger.get_address(user) or "")
        except Exception:
            address = ""  # the send below records why (e.g. SkipDelivery: no phone number)
    if backend is None and not messenger_cls.inline:
        message = Message(recipient=user, address=address, subject=rendered.subject, text=text, verb="test_message")
        outcome = next(iter(messenger.send_batch([message])))
        return _outcome(channel, user, address, outcome.status, outcome.error, None)
    with transaction.atomic():
        event = Event.objects.create(verb="test_message", snapshot=snapshot)
        if messenger_cls.inline:
            try:
                with transaction.atomic():
                    messenger.write_inline(event, [(user.pk, rendered)], snapshot)
            except Exception as problem:
                return _outcome(channel, user, "", "dead", f"{type(problem).__name__}: {problem}", None)
            written = Notification.objects.filter(event=event).exists()
            return _outcome(channel, user, "", "written" if written else "dead", "", None)
        delivery = Delivery.objects.create(
            event=event,
            backend=backend,
            channel=channel,
            recipient=user,
            address=address,
            content=rendered.as_content(),
            created_at=event.created_at,
            next_attempt_at=event.created_at,
        )
    deliver_due(ids=[delivery.pk])
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.FAILED:
        # A test message is not retried: the operator is waiting for the answer now.
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD)
    error = delivery.last_error or delivery.reason
    return _outcome(channel, user, delivery.address or address, delivery.status, error, delivery.pk)


def _outcome(channel: str, user: Any, address: str, status: str, error: str, delivery: int | None) -> dict[str, Any]:
    return {
        "channel": channel,
        "recipient": user.get_username() if user is not None else "",
        "address": address,
        "status": status,
        "error": error,
        "delivery": delivery,
    }
