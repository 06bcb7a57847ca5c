"""AppriseMessenger against a real HTTP server on loopback through apprise's json:// service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from django_signal_notifier.messengers import AppriseMessenger, Message
from django_signal_notifier.models import DeliveryStatus
from tests.messengers.conftest import free_port, request_json

pytestmark = pytest.mark.django_db


def apprise_url(server, path: str, credentials: str = "") -> str:
    return f"json://{credentials}127.0.0.1:{server.port}{path}"


def test_pipeline_backend_urls(api_server, make_user, subscribe, publish):
    api_server.expect_request("/notify", method="POST").respond_with_data("ok")
    users = [make_user(), make_user()]
    subscribe("AppriseMessenger", users, options={"urls": [apprise_url(api_server, "/notify")]})

    deliveries = publish("Backup finished")

    # The backend's URL is one destination: one delivery for the event, one post.
    assert [(d.status, d.recipient_id) for d in deliveries] == [(DeliveryStatus.SENT, None)]
    assert len(api_server.log) == 1
    body = request_json(api_server)
    assert body["title"] == "created article “Backup finished”"
    assert body["message"].startswith("created article “Backup finished”.")
    assert "/articles/" in body["message"]


def test_pipeline_per_user_urls(api_server, make_user, subscribe, publish, settings):
    settings.SIGNAL_NOTIFIER = {"APPRISE_URL": "tests.messengers.sources.apprise_url"}
    api_server.expect_request("/ann", method="POST").respond_with_data("ok")
    api_server.expect_request("/ben", method="POST").respond_with_data("ok")
    ann = make_user(first_name=apprise_url(api_server, "/ann"))
    ben = make_user(first_name=apprise_url(api_server, "/ben"))
    nobody = make_user(first_name="")
    subscribe("AppriseMessenger", [ann, ben, nobody])

    deliveries = {d.recipient_id: d for d in publish()}

    assert deliveries[ann.pk].status == DeliveryStatus.SENT
    assert deliveries[ben.pk].status == DeliveryStatus.SENT
    assert deliveries[nobody.pk].status == DeliveryStatus.SKIPPED
    assert deliveries[nobody.pk].reason == f"user {nobody.pk} has no apprise URL"
    assert sorted(request.path for request, _ in api_server.log) == ["/ann", "/ben"]


def test_http_4xx_is_permanent_and_credentials_are_not_shown(api_server):
    api_server.expect_request("/gone").respond_with_data("gone", status=404)
    url = apprise_url(api_server, "/gone", credentials="bob:hunter2secret@")
    [result] = AppriseMessenger({"urls": url}).send_batch([Message(recipient=None, address="backend", text="x")])
    assert result.status == "dead", result.error
    assert "hunter2secret" not in result.error


def test_http_5xx_is_transient(api_server):
    api_server.expect_request("/busy").respond_with_data("busy", status=503)
    url = apprise_url(api_server, "/busy")
    [result] = AppriseMessenger({"urls": url}).send_batch([Message(recipient=None, address="backend", text="x")])
    assert result.status == "failed"


def test_unreachable_is_transient():
    url = f"json://127.0.0.1:{free_port()}/x"
    [result] = AppriseMessenger({"urls": url}).send_batch([Message(recipient=None, address="backend", text="x")])
    assert result.status == "failed"


def test_an_url_apprise_does_not_know_is_permanent():
    [result] = AppriseMessenger().send_batch([Message(recipient=None, address="nosuchscheme://x", text="x")])
    assert result.status == "dead"
    assert "apprise cannot use" in result.error


def test_options_are_validated():
    with pytest.raises(ValidationError, match="does not understand"):
        AppriseMessenger.validate_options({"urls": "nosuchscheme://x"})
    AppriseMessenger.validate_options({"urls": ["json://127.0.0.1:9/x", "mailto://u:p@example.org"]})


def test_apprise_url_tokens_stay_out_of_request_logs(api_server, caplog):
    import logging

    api_server.expect_request("/hook/averysecrettokenvalue").respond_with_data("ok")
    url = f"json://127.0.0.1:{api_server.port}/hook/averysecrettokenvalue"
    with caplog.at_level(logging.DEBUG):
        [result] = AppriseMessenger({"urls": url}).send_batch([Message(recipient=None, address="backend", text="x")])
    assert result.ok
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "127.0.0.1" in ours  # apprise and urllib3 did log the request…
    assert "averysecrettokenvalue" not in ours
