"""Messengers: the base class, the registry and the built-in channels.

``BaseMessenger`` and ``Add_Messenger`` are 0.2.1's names, kept for its users.
"""

from __future__ import annotations

from django_signal_notifier.messengers.apprise import AppriseMessenger
from django_signal_notifier.messengers.base import Message, Messenger, SendResult
from django_signal_notifier.messengers.console import SimplePrintMessenger, SimplePrintMessengerTemplateBased
from django_signal_notifier.messengers.email import EmailMessageTemplate, EmailMessenger, SMTPEmailMessenger
from django_signal_notifier.messengers.insite import InSiteMessenger
from django_signal_notifier.messengers.mobilepush import MobilePushMessenger
from django_signal_notifier.messengers.registry import messenger_registry, register_messenger
from django_signal_notifier.messengers.slack import SlackMessenger
from django_signal_notifier.messengers.telegram import TelegramBotMessenger
from django_signal_notifier.messengers.testing import TestMessenger
from django_signal_notifier.messengers.twilio import TwilioSMSMessenger
from django_signal_notifier.messengers.webhook import WebhookMessenger, sign_webhook, verify_webhook_signature
from django_signal_notifier.messengers.webpush import WebPushMessenger
from django_signal_notifier.messengers.x import XMessenger

BaseMessenger = Messenger


def Add_Messenger(messenger_class: type[Messenger]) -> type[Messenger]:  # noqa: N802
    """0.2.1's name for :func:`register_messenger`."""
    return messenger_registry.register(messenger_class)


__all__ = [
    "Add_Messenger",
    "AppriseMessenger",
    "BaseMessenger",
    "EmailMessageTemplate",
    "EmailMessenger",
    "InSiteMessenger",
    "Message",
    "MobilePushMessenger",
    "Messenger",
    "SMTPEmailMessenger",
    "SendResult",
    "SimplePrintMessenger",
    "SimplePrintMessengerTemplateBased",
    "SlackMessenger",
    "TelegramBotMessenger",
    "TestMessenger",
    "TwilioSMSMessenger",
    "WebPushMessenger",
    "WebhookMessenger",
    "XMessenger",
    "messenger_registry",
    "register_messenger",
    "sign_webhook",
    "verify_webhook_signature",
]
