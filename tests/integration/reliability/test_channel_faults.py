"""Channel faults: an SMTP server down then up, an HTTP API answering 500, 429 and too slowly.

Each failure is transient (the delivery waits for its due time), a redrive before that time sends
nothing, and once the service is back a redrive sends every delivery exactly once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone
from werkzeug import Request, Response

from django_signal_notifier.delivery.outbox import deliver_due
from django_signal_notifier.models import Delivery, DeliveryStatus
from tests.integration.reliability.conftest import free_port
from tests.integration.reliability.figures import record
from tests.messengers.conftest import RecordingHandler

pytestmark = pytest.mark.django_db
DELIVERY_HEADER = "X-Signal-Notifier-Delivery"


def pass_due_time() -> None:
    """Let the clock reach every failed delivery's next attempt (as if the backoff elapsed)."""
    Delivery.objects.filter(status=DeliveryStatus.FAILED).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_smtp_server_down_then_up_sends_each_email_once(make_user, subscribe, publish):
    users = [make_user() for _ in range(3)]
    port = free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=2,
        DEFAULT_FROM_EMAIL="site@example.org",
    ):
        subscribe("EmailMessenger", users)
        deliveries = publish("Outage")  # nothing listens on the port yet
        assert [d.status for d in deliveries] == [DeliveryStatus.FAILED] * 3
        assert all("SMTP connection failed" in d.last_error for d in deliveries)
        assert all(d.next_attempt_at > timezone.now() for d in deliveries)
        assert deliver_due() == {}  # not due yet: a redrive waits for the backoff

        handler = RecordingHandler()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            pass_due_time()
            assert deliver_due() == {"sent": 3}
            assert deliver_due() == {}
        finally:
            controller.stop()
    assert sorted(r.rcpt_tos[0] for r in handler.received) == sorted(u.email for u in users)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 2)}
    record("smtp-down-up", faults=1, deliveries=3, lost=0, duplicated=0)


def webhook_to(api_server, subscribe, make_user, count: int = 2):
    users = [make_user() for _ in range(count)]
    subscribe("WebhookMessenger", users, options={"url": api_server.url_for("/hook"), "secret": "s" * 20})


def delivered_ids(api_server, status: int = 200) -> list[str]:
    return [req.headers[DELIVERY_HEADER] for req, resp in api_server.log if resp.status_code == status]


def test_http_500_is_retried_then_sent_once(api_server, make_user, subscribe, publish):
    webhook_to(api_server, subscribe, make_user)
    api_server.expect_request("/hook").respond_with_data("upstream broke", status=500)
    deliveries = publish()
    assert [d.status for d in deliveries] == [DeliveryStatus.FAILED] * 2
    assert all(d.last_error == "Webhook answered HTTP 500: upstream broke" for d in deliveries)
    api_server.clear()
    api_server.expect_request("/hook").respond_with_data("", status=204)
    pass_due_time()
    assert deliver_due() == {"sent": 2}
    assert sorted(delivered_ids(api_server, 204)) == sorted(str(d.pk) for d in deliveries)
    record("http-500", faults=1, deliveries=2, lost=0, duplicated=0)


def test_http_429_retry_after_sets_the_next_attempt(api_server, make_user, subscribe, publish):
    webhook_to(api_server, subscribe, make_user, count=1)
    api_server.expect_request("/hook").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    before = timezone.now()
    [delivery] = publish()
    assert delivery.status == DeliveryStatus.FAILED
    assert "HTTP 429" in delivery.last_error
    # the default backoff after a first failure is at most 30 s: the server's 120 s wins
    assert delivery.next_attempt_at >= before + timedelta(seconds=120)
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=121)
    assert deliver_due() == {}
    api_server.clear()
    api_server.expect_request("/hook").respond_with_data("", status=200)
    pass_due_time()
    assert deliver_due() == {"sent": 1}
    assert delivered_ids(api_server) == [str(delivery.pk)]
    record("http-429", faults=1, deliveries=1, lost=0, duplicated=0)


def test_http_timeout_is_transient_and_the_retry_carries_the_same_delivery_id(
    api_server, make_user, subscribe, publish
):
    webhook_to(api_server, subscribe, make_user, count=1)

    def too_slow(request: Request) -> Response:
        time.sleep(1.0)  # the server is slow: longer than HTTP_TIMEOUT
        return Response("late", status=200)

    api_server.expect_request("/hook").respond_with_handler(too_slow)
    with override_settings(SIGNAL_NOTIFIER={"HTTP_TIMEOUT": 0.3}):
        [delivery] = publish()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Webhook: timed out (ReadTimeout)"
    api_server.clear()
    api_server.expect_request("/hook").respond_with_data("", status=200)
    pass_due_time()
    assert deliver_due() == {"sent": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    # the server finished the late first request too: both carry the same delivery id, which is
    # how a receiver drops the second (a timeout cannot tell whether the first arrived)
    seen = delivered_ids(api_server)
    assert set(seen) == {str(delivery.pk)} and 1 <= len(seen) <= 2
    record("http-timeout", faults=1, deliveries=1, lost=0, duplicated=0)
