"""The OpenAPI document as a contract: schemathesis calls every operation with generated inputs.

Each answer must be no 5xx, have a status code, content type, headers and body that the
document declares, and the API must refuse requests without authentication. Runs against the
live Django app (its WSGI handler, in process), on the test database, with a bounded number of
examples per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from django_signal_notifier.models import ApiToken, Notification
from tests.api.conftest import API
from tests.inbox.conftest import make_notifications
from tests.support.prefs import configure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Django's WSGI handler closes stale connections around each request, which would end the test's
    transaction (on PostgreSQL); django.test.Client disconnects the same receivers for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(alice: Any, bob: Any) -> str:
    """Alice's token; she and bob have notifications (bob's ids are other-user ids for alice), she has preferences."""
    make_notifications(alice, 30)
    make_notifications(bob, 5)
    first_five = list(Notification.objects.filter(recipient=alice).values_list("pk", flat=True)[:5])
    Notification.objects.filter(recipient=alice, pk__in=first_five).archive(alice)  # (MariaDB: no LIMIT in IN)
    configure([alice], messengers=("EmailRecordingMessenger", "InSiteMessenger"), name="News")
    configure([alice], name="Terms", mandatory=True)
    return ApiToken.objects.issue(alice)[1]


# Loaded from the served document (pytest-django has set Django up by collection time; serving the
# document reads no table).
schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_openapi_contract(case: Any, bearer: str) -> None:
    # A schema-valid request may still name something that is not there: a cursor this API never
    # gave, a subscription that does not reach the user, a content type that does not exist, a
    # snooze time more than a year ahead or already past. Those are rightly 400, not 2xx.
    # A Web Push key must also be a point of the P-256 curve, which no pattern can say.
    state_dependent = "cursor" in (case.query or {}) or (case.method, case.path) in {
        ("PATCH", "/preferences/"),
        ("POST", "/push/webpush/"),
        ("POST", "/mutes/"),
        ("POST", "/notifications/snooze/"),
    }
    excluded = [positive_data_acceptance] if state_dependent else []
    case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"}, excluded_checks=excluded)
