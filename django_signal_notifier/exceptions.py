"""Exceptions raised by django-signal-notifier."""

from __future__ import annotations


class SignalNotifierError(Exception):
    """Base class of the package's errors."""


class ConfigurationError(SignalNotifierError):
    """Something named in the configuration does not exist or cannot work."""


class SignalRegistrationError(ConfigurationError):
    """A signal name is unknown or registered twice for different signals."""


class MessengerError(ConfigurationError):
    """A messenger class is invalid or not registered."""


class MessageTemplateError(ConfigurationError):
    """A message template is invalid, not registered or fails to render."""


class DeliveryError(SignalNotifierError):
    """A message could not be delivered. Subclasses say whether trying again may help."""

    transient: bool = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    """The channel failed for now (timeout, 5xx, rate limit): the delivery is retried."""

    transient = True


class PermanentDeliveryError(DeliveryError):
    """The message can never be delivered as it is (bad address, 4xx): the delivery is dead."""

    transient = False


class SkipDelivery(SignalNotifierError):
    """The recipient cannot be reached on this channel (e.g. no address): the delivery is skipped."""
