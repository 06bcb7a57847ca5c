"""A channel's settings are looked up per channel: a third-party channel keeps its keys in SIGNAL_NOTIFIER."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.core import checks

from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.messengers.telegram import TelegramBotMessenger


@messenger_registry.register
class PigeonMessenger(Messenger):
    """A third-party channel with settings of its own."""

    settings_defaults: ClassVar[dict[str, Any]] = {"API_KEY": None, "LOFT": "north"}

    def send_message(self, message: Message) -> None:
        pass


def unknown_key_errors() -> list[str]:
    return [m.msg for m in checks.run_checks() if m.id == "signal_notifier.E001"]


def test_a_third_party_channel_reads_its_keys_and_they_are_known(settings):
    settings.SIGNAL_NOTIFIER = {"PIGEONMESSENGER_API_KEY": "k-123"}
    assert PigeonMessenger.setting("API_KEY") == "k-123"
    assert PigeonMessenger.setting("LOFT") == "north"  # its declared default
    assert unknown_key_errors() == []


def test_a_misspelt_channel_key_is_still_reported_with_the_known_ones(settings):
    settings.SIGNAL_NOTIFIER = {"PIGEONMESSENGER_API_KYE": "k"}
    [error] = unknown_key_errors()
    assert "'PIGEONMESSENGER_API_KYE'" in error
    [message] = [m for m in checks.run_checks() if m.id == "signal_notifier.E001"]
    assert "PIGEONMESSENGER_API_KEY" in str(message.hint)


def test_a_prefix_other_than_the_channel_name(settings):
    class Carrier(PigeonMessenger):
        settings_prefix = "carrier"

    settings.SIGNAL_NOTIFIER = {"CARRIER_LOFT": "south"}
    assert Carrier.setting("LOFT") == "south" and Carrier.setting_keys() == {"CARRIER_API_KEY", "CARRIER_LOFT"}


@pytest.mark.parametrize(
    ("configured", "expected"), [({}, "https://api.telegram.org"), ({"TELEGRAM_API_URL": "http://x"}, "http://x")]
)
def test_built_in_channels_read_the_same_way(settings, configured, expected):
    settings.SIGNAL_NOTIFIER = configured
    assert TelegramBotMessenger.setting("API_URL") == expected  # its prefix: TELEGRAM
