"""MobilePushMessenger through django-push-notifications' devices.

FCM is exercised end to end: django-push-notifications and firebase-admin send real FCM v1
requests, with firebase-admin's endpoint (its ``_MessagingService.FCM_URL``) pointed at a loopback
fake that checks the OAuth bearer token and the message, and answers success or UNREGISTERED.
APNs is not: aioapns speaks HTTP/2 with TLS to Apple's fixed hosts, so only the device selection
and the outcome when the APNs library is missing are tested here.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from werkzeug import Request, Response

pytest.importorskip("push_notifications")
firebase_admin = pytest.importorskip("firebase_admin")

from firebase_admin import credentials, messaging  # noqa: E402
from google.oauth2.credentials import Credentials  # noqa: E402
from push_notifications.models import APNSDevice, GCMDevice  # noqa: E402

from django_signal_notifier.models import DeliveryStatus  # noqa: E402

pytestmark = pytest.mark.django_db
PROJECT = "dsn-test"
ACCESS_TOKEN = "test-access-token"


class StaticToken(credentials.Base):
    """A Firebase credential with a fixed OAuth access token (no Google sign-in on loopback)."""

    def get_credential(self) -> Credentials:
        return Credentials(token=ACCESS_TOKEN)


@pytest.fixture
def fcm(api_server, monkeypatch):
    """The default Firebase app, its FCM endpoint on loopback; returns the messages FCM received."""
    monkeypatch.setattr(messaging._MessagingService, "FCM_URL", api_server.url_for("/v1/projects/{0}/messages:send"))
    app = firebase_admin.initialize_app(StaticToken(), {"projectId": PROJECT})
    received: list[dict] = []

    def send(request: Request) -> Response:
        assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
        message = json.loads(request.get_data())["message"]
        received.append(message)
        if message["token"].startswith("dead-"):
            error = {
                "code": 404,
                "message": "Requested entity was not found.",
                "status": "NOT_FOUND",
                "details": [
                    {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}
                ],
            }
            return Response(json.dumps({"error": error}), status=404, content_type="application/json")
        return Response(json.dumps({"name": f"projects/{PROJECT}/messages/1"}), content_type="application/json")

    api_server.expect_request(f"/v1/projects/{PROJECT}/messages:send", method="POST").respond_with_handler(send)
    yield received
    firebase_admin.delete_app(app)


def test_each_active_fcm_device_of_the_user_receives_the_message(fcm, make_user, subscribe, publish):
    alice, bob = make_user(), make_user()
    GCMDevice.objects.create(user=alice, registration_id="alice-phone", cloud_message_type="FCM")
    GCMDevice.objects.create(user=alice, registration_id="alice-tablet", cloud_message_type="FCM")
    GCMDevice.objects.create(user=alice, registration_id="alice-old", cloud_message_type="FCM", active=False)
    GCMDevice.objects.create(user=bob, registration_id="bob-phone", cloud_message_type="FCM")
    subscribe("MobilePushMessenger", [alice])

    (delivery,) = publish("Tom & Jerry")

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_to == "2 FCM"
    assert sorted(message["token"] for message in fcm) == ["alice-phone", "alice-tablet"]
    notification = fcm[0]["android"]["notification"]
    assert notification["title"] == "created article “Tom & Jerry”"
    assert "/articles/" in fcm[0]["data"]["url"]


def test_unregistered_devices_are_deactivated_and_the_delivery_skipped_with_the_reason(
    fcm, make_user, subscribe, publish
):
    alice = make_user()
    GCMDevice.objects.create(user=alice, registration_id="dead-1", cloud_message_type="FCM")
    subscribe("MobilePushMessenger", [alice])

    (delivery,) = publish()

    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.reason == f"every mobile device of user {alice.pk} is unregistered (1 marked inactive)"
    assert GCMDevice.objects.get().active is False


def test_one_live_device_is_enough(fcm, make_user, subscribe, publish):
    alice = make_user()
    GCMDevice.objects.create(user=alice, registration_id="dead-2", cloud_message_type="FCM")
    GCMDevice.objects.create(user=alice, registration_id="alive", cloud_message_type="FCM")
    subscribe("MobilePushMessenger", [alice])
    assert [d.status for d in publish()] == [DeliveryStatus.SENT]
    assert list(GCMDevice.objects.filter(active=True).values_list("registration_id", flat=True)) == ["alive"]


def test_a_user_without_devices_is_skipped(fcm, make_user, subscribe, publish):
    nobody = make_user()
    subscribe("MobilePushMessenger", [nobody])
    (delivery,) = publish()
    assert (delivery.status, delivery.reason) == (
        DeliveryStatus.SKIPPED,
        f"user {nobody.pk} has no active mobile device",
    )


def test_the_platform_option_selects_the_devices(fcm, make_user, subscribe, publish):
    alice = make_user()
    GCMDevice.objects.create(user=alice, registration_id="alice-phone", cloud_message_type="FCM")
    APNSDevice.objects.create(user=alice, registration_id="a" * 64)
    subscribe("MobilePushMessenger", [alice], options={"platform": "fcm"})
    (delivery,) = publish()
    assert (delivery.status, delivery.sent_to) == (DeliveryStatus.SENT, "1 FCM")


def test_apns_without_its_library_is_dead_with_what_to_install(fcm, make_user, subscribe, publish):
    if importlib.util.find_spec("aioapns") or importlib.util.find_spec("apns2"):
        pytest.skip("an APNs library is installed: this test is about its absence")
    alice = make_user()
    APNSDevice.objects.create(user=alice, registration_id="a" * 64)
    subscribe("MobilePushMessenger", [alice], options={"platform": "apns"})
    (delivery,) = publish()
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_error == "APNs needs aioapns: pip install 'django-push-notifications[apns-async]'"
