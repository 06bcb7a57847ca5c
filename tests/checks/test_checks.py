"""System checks name what is wrong and how to fix it."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.checks import run_checks

from django_signal_notifier.models import Backend, Trigger

pytestmark = pytest.mark.django_db


def ids(**kwargs):
    return {message.id for message in run_checks(**kwargs) if message.id and message.id.startswith("signal_notifier")}


def test_a_clean_configuration_has_no_messages():
    assert ids() == set()


def test_settings_are_checked(settings):
    settings.SIGNAL_NOTIFIER = {"BATCH_SIZ": 10, "BATCH_SIZE": 0, "RETRY_BASE_DELAY": -1}
    messages = [m for m in run_checks() if m.id and m.id.startswith("signal_notifier")]
    text = " ".join(m.msg for m in messages)
    assert "unknown key 'BATCH_SIZ'" in text
    assert "BATCH_SIZE" in text and "positive integer" in text
    assert "RETRY_BASE_DELAY" in text


def test_stored_configuration_is_checked():
    Trigger.objects.create(verb="renamed_signal")
    gone = ContentType.objects.create(app_label="removed_app", model="removedmodel")
    Trigger.objects.create(verb="post_save", action_object_content_type=gone)
    Backend.objects.create(messenger="RenamedMessenger")
    Backend.objects.create(messenger="InSiteMessenger", message_template="RenamedTemplate")
    messages = {m.id: m for m in run_checks(databases=["default"]) if m.id and m.id.startswith("signal_notifier")}
    assert {"signal_notifier.W010", "signal_notifier.W011", "signal_notifier.W012", "signal_notifier.W013"} <= set(
        messages
    )
    assert "register_signal" in messages["signal_notifier.W010"].hint
    assert "removed_app.removedmodel" in messages["signal_notifier.W011"].msg
