"""Messengers: *how* a message leaves. One short class per channel.

A messenger turns :class:`Message` objects into sends and reports one :class:`SendResult`
per message. Most channels implement :meth:`Messenger.send_message` (and raise
:class:`TransientDeliveryError`, :class:`PermanentDeliveryError` or :class:`SkipDelivery`);
channels with a cheaper bulk API override :meth:`Messenger.send_batch`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from django_signal_notifier.conf import channel_setting
from django_signal_notifier.exceptions import DeliveryError, SkipDelivery
from django_signal_notifier.messengers.options import Option, is_missing

logger = logging.getLogger("django_signal_notifier.messengers")


@dataclass
class Message:
    """One rendered message for one recipient on one channel."""

    recipient: Any  # the user, or None when sent to a bare address
    address: str
    subject: str = ""
    text: str = ""
    html: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    delivery_id: int | None = None
    verb: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    event_id: int | None = None
    # The signed one-click link for this recipient ("" for mandatory messages or without SITE_URL).
    unsubscribe_url: str = ""
    # The recipient's language, for the words a channel adds around the rendered message.
    language: str = ""
    # Set by the messenger once sent: the id the provider gave the message (recorded on the
    # Delivery, so the provider's later delivery events find it).
    provider_message_id: str = ""


@dataclass
class SendResult:
    """What happened to one message."""

    message: Message
    status: str  # "sent", "failed" (transient), "dead" (permanent) or "skipped"
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "sent"


class Messenger:
    """Base class of every messenger.

    Class attributes describe the channel: ``name`` (registry key, default: the class name),
    ``label``, ``default_template`` (used by a Backend with no template), ``inline`` (the
    message is written in the fan-out transaction, as the in-site inbox does, instead of
    becoming a Delivery), ``option_fields`` (the Backend options it understands, each with a
    label, help and a required flag: see :mod:`.options`; ``option_names`` is derived from them,
    or may be given alone), ``requires`` (optional dependencies, for the system checks) and
    ``suppression_channel`` (the kind of address that suppressions apply to, see :mod:`..feedback`).
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    default_template: ClassVar[str | None] = "DefaultMessageTemplate"
    inline: ClassVar[bool] = False
    option_fields: ClassVar[tuple[Option, ...]] = ()
    option_names: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    # The kind of address a provider may report unreachable ("email", "sms"): deliveries to an
    # address suppressed for it are skipped. Empty: the channel is never suppressed (no lookup).
    suppression_channel: ClassVar[str] = ""
    # The channel's own settings: SIGNAL_NOTIFIER["<settings_prefix>_<NAME>"], read with
    # cls.setting(NAME); the prefix defaults to the channel name in capitals.
    settings_prefix: ClassVar[str] = ""
    settings_defaults: ClassVar[dict[str, Any]] = {}

    # 0.2.1 attributes
    message: ClassVar[str] = ""
    test_message: ClassVar[str] = "This is a test message from django-signal-notifier."

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = dict(options or {})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "option_fields" in cls.__dict__ and "option_names" not in cls.__dict__:
            cls.option_names = tuple(option.name for option in cls.option_fields)

    # -- configuration ------------------------------------------------------------------------
    @classmethod
    def channel_name(cls) -> str:
        return cls.__dict__.get("name") or cls.__name__

    @classmethod
    def setting(cls, name: str) -> Any:
        """This channel's setting ``name`` (``SIGNAL_NOTIFIER["<PREFIX>_<NAME>"]``, else its declared default)."""
        return channel_setting(cls.setting_prefix(), name, cls.settings_defaults.get(name))

    @classmethod
    def setting_prefix(cls) -> str:
        return (cls.settings_prefix or cls.channel_name()).upper()

    @classmethod
    def setting_keys(cls) -> set[str]:
        """The ``SIGNAL_NOTIFIER`` keys this channel declares."""
        return {f"{cls.setting_prefix()}_{name}".upper() for name in cls.settings_defaults}

    @classmethod
    def describe_options(cls) -> tuple[Option, ...]:
        """The options with their labels and help: ``option_fields``, else a plain one per ``option_names``."""
        declared = {option.name: option for option in cls.option_fields}
        return tuple(declared.get(name) or Option(name) for name in cls.option_names)

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        """Raise ValidationError for Backend options this messenger cannot use."""
        if not isinstance(options, dict):
            raise ValidationError("Options must be a JSON object.")
        unknown = sorted(set(options) - set(cls.option_names))
        if unknown:
            allowed = ", ".join(cls.option_names) or "none"
            raise ValidationError(
                f"Unknown option(s) {', '.join(unknown)} for {cls.channel_name()} (allowed: {allowed})."
            )
        missing = [
            option for option in cls.describe_options() if option.required and is_missing(options.get(option.name))
        ]
        if missing:
            needed = "; ".join(f"'{option.name}' ({option.help or option.title})" for option in missing)
            raise ValidationError(f"Missing option(s) for {cls.channel_name()}: {needed}.")

    @classmethod
    def shares_destination(cls, options: dict[str, Any]) -> bool:
        """Whether every recipient's message goes to one place (a channel, a group chat, a URL).

        Such a backend gets one Delivery per event, whatever the number of recipients.
        """
        return False

    @classmethod
    def is_legacy(cls) -> bool:
        """A 0.2.1 messenger: it implements ``send(template, users, trigger_context, signal_kwargs)``."""
        for klass in cls.__mro__:
            if klass is Messenger:
                return False
            if "send" in klass.__dict__:
                return True
        return False

    # -- addresses ----------------------------------------------------------------------------
    def get_address(self, user: Any) -> str | None:
        """The recipient's address on this channel; None skips the delivery ("no address")."""
        return "" if user is None else str(getattr(user, "pk", ""))

    def shows_address(self, address: str) -> bool:
        """Whether the delivery log may record ``address`` (False when it holds a secret, e.g. a token in a URL)."""
        return True

    # -- sending ------------------------------------------------------------------------------
    def connection(self) -> AbstractContextManager[Any]:
        """A context that holds a connection open for one batch."""
        return nullcontext()

    def send_message(self, message: Message) -> None:
        """Send one message; raise a DeliveryError subclass or SkipDelivery on failure."""
        raise NotImplementedError(f"{type(self).__name__} must implement send_message() or send_batch().")

    def send_batch(self, messages: Sequence[Message]) -> Iterator[SendResult]:
        """Send ``messages`` over one connection, yielding each result as soon as it is known."""
        with self.connection():
            for message in messages:
                yield self._attempt(message)

    def _attempt(self, message: Message) -> SendResult:
        try:
            self.send_message(message)
        except SkipDelivery as skip:
            return SendResult(message, "skipped", str(skip))
        except DeliveryError as error:
            return SendResult(message, "failed" if error.transient else "dead", str(error), error.retry_after)
        except Exception as error:  # an unexpected error is treated as transient
            logger.exception("%s raised while sending delivery %s", type(self).__name__, message.delivery_id)
            return SendResult(message, "failed", f"{type(error).__name__}: {error}")
        return SendResult(message, "sent")

    # -- inline channels ----------------------------------------------------------------------
    def write_inline(
        self,
        event_row: Any,
        items: Iterable[tuple[int, Any]],
        snapshot: dict[str, Any],
        group_key: str = "",
        expires_at: datetime | None = None,
    ) -> int:
        """Write (recipient id, RenderedMessage) pairs in the fan-out transaction (inline channels).

        ``group_key``: the inbox group of the rows (see ``inbox/group_keys.py``), "" for none.
        ``expires_at`` (passed only when set): when the messages stop being shown.
        """
        raise NotImplementedError

    @classmethod
    def written_inline(cls, event_row: Any, recipient_ids: list[Any]) -> set[Any]:
        """Which of ``recipient_ids`` this inline channel already wrote for ``event_row``.

        Asked when one backend serves two subscriptions of an event whose audience spans chunks,
        so a person in both gets one message.
        """
        return set()


_ACCEPTED_EXTRAS: dict[Any, frozenset[str] | None] = {}


def call_write_inline(
    messenger_cls: type[Messenger],
    messenger: Messenger,
    event_row: Any,
    items: Iterable[tuple[Any, Any]],
    snapshot: dict[str, Any],
    group_key: str,
    expires_at: datetime | None = None,
) -> int:
    """``messenger_cls.write_inline`` with the rows' inbox group key and expiry, as far as it takes them.

    Inline messengers written before grouping and expiry override ``write_inline(event_row,
    items, snapshot)``: they are called as before (their rows stand alone and never expire).
    """
    method = messenger_cls.write_inline
    if method not in _ACCEPTED_EXTRAS:
        parameters = inspect.signature(method).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        _ACCEPTED_EXTRAS[method] = None if takes_any else frozenset(parameters)
    accepted = _ACCEPTED_EXTRAS[method]
    offered: dict[str, Any] = {"group_key": group_key}
    if expires_at is not None:
        offered["expires_at"] = expires_at
    extras = {name: value for name, value in offered.items() if accepted is None or name in accepted}
    return int(method(messenger, event_row, items, snapshot, **extras))
