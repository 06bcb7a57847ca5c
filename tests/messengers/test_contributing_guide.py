"""The channel of docs/contributing/adding-a-channel.md, as written, against a real HTTP server on loopback."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.core.exceptions import ValidationError

from django_signal_notifier.messengers.base import Message
from django_signal_notifier.messengers.registry import messenger_registry
from django_signal_notifier.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "contributing" / "adding-a-channel.md"


@pytest.fixture(scope="module")
def ntfy() -> Any:
    source = re.search(
        r'```python title="django_signal_notifier/messengers/ntfy.py"\n(.*?)```', GUIDE.read_text(), re.S
    )
    assert source is not None
    module = types.ModuleType("guide_ntfy")
    exec(compile(source.group(1), str(GUIDE), "exec"), module.__dict__)
    yield module.NtfyMessenger
    messenger_registry._classes.pop("NtfyMessenger", None)  # other tests see only the package's channels


def test_the_guide_s_channel_publishes_and_classifies_answers(ntfy, api_server, settings):
    settings.SIGNAL_NOTIFIER = {"NTFY_SERVER": api_server.url_for("/"), "NTFY_TOKEN": "tk_secret_123"}
    assert [m for m in checks.run_checks() if m.id == "signal_notifier.E001"] == []  # its keys are known
    api_server.expect_oneshot_request("/", method="POST").respond_with_data(
        "slow", status=429, headers={"Retry-After": "7"}
    )
    api_server.expect_request("/", method="POST").respond_with_data("{}")
    messenger = ntfy({"topic": "alerts", "priority": 4})
    message = Message(recipient=None, address="alerts", subject="Déploiement “v2”", text="v2 is out")
    [busy] = messenger.send_batch([message])
    assert (busy.status, busy.retry_after) == ("failed", 7)
    [ok] = messenger.send_batch([message])
    assert ok.status == "sent"
    request = api_server.log[-1][0]
    assert request.get_json() == {"topic": "alerts", "title": "Déploiement “v2”", "message": "v2 is out", "priority": 4}
    assert request.headers["Authorization"] == "Bearer tk_secret_123"


def test_the_guide_s_channel_refuses_bad_options_and_hides_its_token(ntfy, api_server, settings):
    with pytest.raises(ValidationError, match="needs a 'topic' option"):
        ntfy.validate_options({})
    with pytest.raises(ValidationError, match="from 1 \\(min\\) to 5"):
        ntfy.validate_options({"topic": "t", "priority": "high"})
    with pytest.raises(ValidationError, match="Unknown option"):
        ntfy.validate_options({"topic": "t", "colour": "red"})
    settings.SIGNAL_NOTIFIER = {"NTFY_SERVER": api_server.url_for("/"), "NTFY_TOKEN": "tk_secret_123"}
    api_server.expect_request("/", method="POST").respond_with_data("token tk_secret_123 refused", status=403)
    [refused] = ntfy({"topic": "t"}).send_batch([Message(recipient=None, address="t", text="x")])
    assert refused.status == "dead" and "tk_secret_123" not in refused.error and "***" in refused.error


def test_the_guide_s_channel_posts_once_per_event_through_the_pipeline(
    ntfy, api_server, settings, make_user, subscribe, publish
):
    settings.SIGNAL_NOTIFIER = {"NTFY_SERVER": api_server.url_for("/")}
    api_server.expect_request("/", method="POST").respond_with_data("{}")
    subscribe("NtfyMessenger", [make_user(username=f"u{i}") for i in range(5)], options={"topic": "news"})
    deliveries = publish("Launch")
    assert [d.status for d in deliveries] == [DeliveryStatus.SENT]  # one topic, one message
    assert len(api_server.log) == 1 and Delivery.objects.count() == 1
    assert api_server.log[0][0].get_json()["title"] == "created article “Launch”"
