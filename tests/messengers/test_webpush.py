"""WebPushMessenger end to end against a push service on loopback that decrypts and verifies each push."""

from __future__ import annotations

import base64
import time
from io import StringIO

import httpx
import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from django_signal_notifier.checks.operations import check_webpush_private_hosts
from django_signal_notifier.messengers import WebPushMessenger, webpush_hosts
from django_signal_notifier.messengers.webpush import application_server_key, new_private_key
from django_signal_notifier.models import DeliveryStatus, EndpointTaken, WebPushDevice
from tests.messengers.push_service import BrowserSubscription, FakePushService

pytestmark = pytest.mark.django_db
PRIVATE_KEY = new_private_key()


@pytest.fixture
def push_service(api_server, settings):
    settings.SIGNAL_NOTIFIER = {
        "WEBPUSH_VAPID_PRIVATE_KEY": PRIVATE_KEY,
        "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.org",
        # The fake push service listens on loopback: allowed explicitly, as in development.
        "WEBPUSH_ALLOWED_HOSTS": None,
        "WEBPUSH_ALLOW_PRIVATE_HOSTS": True,
    }
    service = FakePushService(api_server)
    yield service
    assert service.errors == []


def register(user, service, name, answer=201):
    endpoint, browser = service.subscribe(name, answer)
    WebPushDevice.objects.register(user, endpoint, browser.p256dh, browser.auth, user_agent=f"Browser {name}")
    return endpoint


def test_each_browser_of_the_user_receives_the_decrypted_payload(push_service, make_user, subscribe, publish):
    alice, bob = make_user(), make_user()
    register(alice, push_service, "alice-laptop")
    register(alice, push_service, "alice-phone")
    register(bob, push_service, "bob-laptop")
    subscribe("WebPushMessenger", [alice, bob], options={"ttl": 600, "urgency": "high", "topic": "articles"})
    before = int(time.time())

    deliveries = {d.recipient_id: d for d in publish("Tom & <Jerry>")}

    assert deliveries[alice.pk].status == DeliveryStatus.SENT
    assert deliveries[alice.pk].sent_to == "2 browser(s)"
    assert deliveries[bob.pk].status == DeliveryStatus.SENT
    assert sorted(push.path for push in push_service.pushes) == [
        "/push/alice-laptop",
        "/push/alice-phone",
        "/push/bob-laptop",
    ]
    for push in push_service.pushes:
        assert push.payload["title"] == "created article “Tom & <Jerry>”"
        assert "/articles/" in push.payload["url"]
        assert push.headers["Ttl"] == "600"
        assert push.headers["Urgency"] == "high"
        assert push.headers["Topic"] == "articles"
        assert push.vapid_public_key == application_server_key(PRIVATE_KEY)
        assert push.claims["sub"] == "mailto:ops@example.org"
        assert push.claims["aud"] == push_service.httpserver.url_for("/").rstrip("/")
        assert before + 3600 < push.claims["exp"] <= int(time.time()) + 24 * 3600
    assert WebPushDevice.objects.filter(last_used_at__isnull=False).count() == 3


def test_settings_give_the_default_ttl_and_urgency_and_no_topic(push_service, make_user, subscribe, publish, settings):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "WEBPUSH_TTL": 60, "WEBPUSH_URGENCY": "low"}
    alice = make_user()
    register(alice, push_service, "alice")
    subscribe("WebPushMessenger", [alice])
    assert [d.status for d in publish()] == [DeliveryStatus.SENT]
    (push,) = push_service.pushes
    assert (push.headers["Ttl"], push.headers["Urgency"]) == ("60", "low")
    assert "Topic" not in push.headers


def test_a_gone_subscription_is_removed_and_the_others_still_receive(push_service, make_user, subscribe, publish):
    alice = make_user()
    register(alice, push_service, "old-laptop", answer=410)
    register(alice, push_service, "phone")
    subscribe("WebPushMessenger", [alice])

    (delivery,) = publish()

    assert delivery.status == DeliveryStatus.SENT
    assert list(WebPushDevice.objects.values_list("user_agent", flat=True)) == ["Browser phone"]


def test_when_every_subscription_is_gone_the_delivery_is_skipped_with_the_reason(
    push_service, make_user, subscribe, publish
):
    alice = make_user()
    register(alice, push_service, "expired", answer=410)
    register(alice, push_service, "unknown", answer=404)
    subscribe("WebPushMessenger", [alice])

    (delivery,) = publish()

    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.reason == f"every Web Push subscription of user {alice.pk} is gone (404/410): 2 removed"
    assert not WebPushDevice.objects.exists()
    assert len(push_service.pushes) == 2  # each was tried once


def test_a_user_without_a_subscription_is_skipped(push_service, make_user, subscribe, publish):
    nobody = make_user()
    subscribe("WebPushMessenger", [nobody])
    (delivery,) = publish()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.reason == f"user {nobody.pk} has no Web Push subscription"


@pytest.mark.parametrize(
    ("status", "expected"), [(429, DeliveryStatus.FAILED), (503, DeliveryStatus.FAILED), (400, DeliveryStatus.DEAD)]
)
def test_refusals_are_classified_and_the_subscription_is_kept(
    push_service, make_user, subscribe, publish, status, expected
):
    alice = make_user()
    register(alice, push_service, "browser", answer=status)
    subscribe("WebPushMessenger", [alice])
    (delivery,) = publish()
    assert delivery.status == expected
    assert f"answered HTTP {status}" in delivery.last_error
    assert WebPushDevice.objects.count() == 1


def test_registering_an_endpoint_again_updates_its_one_row_for_its_user_only(make_user):
    alice, bob = make_user(), make_user()
    device, created = WebPushDevice.objects.register(alice, "https://push.example/abc", "key1", "auth1")
    again, created_again = WebPushDevice.objects.register(alice, "https://push.example/abc", "key2", "auth2", "Firefox")
    assert (created, created_again) == (True, False)
    assert again.pk == device.pk
    with pytest.raises(EndpointTaken):
        WebPushDevice.objects.register(bob, "https://push.example/abc", "key3", "auth3", "Chrome")
    row = WebPushDevice.objects.get()
    assert (row.user_id, row.p256dh, row.auth, row.user_agent) == (alice.pk, "key2", "auth2", "Firefox")


def test_past_the_cap_a_new_device_drops_the_least_recently_used(make_user):
    alice, bob = make_user(), make_user()
    WebPushDevice.objects.register(bob, "https://push.example/bob", "k", "a", max_devices=1)
    for name in ("used", "old", "newer"):
        WebPushDevice.objects.register(alice, f"https://push.example/{name}", "k", "a", max_devices=3)
    WebPushDevice.objects.filter(endpoint__endswith="/used").update(last_used_at=timezone.now())
    WebPushDevice.objects.register(alice, "https://push.example/new", "k", "a", max_devices=3)
    WebPushDevice.objects.register(alice, "https://push.example/new", "k2", "a2", max_devices=3)  # an update drops none
    kept = sorted(e.rsplit("/", 1)[1] for e in WebPushDevice.objects.for_user(alice).values_list("endpoint", flat=True))
    assert kept == ["new", "newer", "used"]
    assert WebPushDevice.objects.for_user(bob).count() == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ttl": -1}, "'ttl' must be a whole number"),
        ({"urgency": "urgent"}, "'urgency' must be one of very-low, low, normal, high"),
        ({"topic": "has spaces"}, "'topic' must be 1 to 32"),
        ({"topic": "x" * 33}, "'topic' must be 1 to 32"),
    ],
)
def test_bad_options_are_refused_with_what_to_fix(options, message):
    with pytest.raises(ValidationError, match=message):
        WebPushMessenger.validate_options(options)


def test_the_vapid_command_prints_a_key_pair_that_signs(settings):
    out, err = StringIO(), StringIO()
    call_command("signal_notifier", "vapid", stdout=out, stderr=err)
    private_key = out.getvalue().split('"WEBPUSH_VAPID_PRIVATE_KEY": "', 1)[1].split('"', 1)[0]
    assert (
        f"Application server key (public; served to browsers): {application_server_key(private_key)}" in err.getvalue()
    )
    settings.SIGNAL_NOTIFIER = {"WEBPUSH_VAPID_PRIVATE_KEY": private_key}
    shown = StringIO()
    call_command("signal_notifier", "vapid", "--show", stdout=shown)
    assert shown.getvalue().strip() == application_server_key(private_key)
    assert len(base64.urlsafe_b64decode(shown.getvalue().strip() + "=")) == 65  # an uncompressed P-256 point


def _push_to(push_service, make_user, subscribe, publish, settings, endpoint_of, **overrides):
    """Publish to one browser whose endpoint is ``endpoint_of(the fake service's endpoint)``, with ``overrides``."""
    alice = make_user()
    endpoint, browser = push_service.subscribe("browser")
    WebPushDevice.objects.create(user=alice, endpoint=endpoint_of(endpoint), p256dh=browser.p256dh, auth=browser.auth)
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, **overrides}
    subscribe("WebPushMessenger", [alice])
    (delivery,) = publish()
    return delivery


def test_a_host_resolving_to_loopback_is_refused_at_send_time(push_service, make_user, subscribe, publish, settings):
    delivery = _push_to(
        push_service,
        make_user,
        subscribe,
        publish,
        settings,
        lambda url: url.replace("127.0.0.1", "localhost"),
        WEBPUSH_ALLOW_PRIVATE_HOSTS=False,
    )
    assert delivery.status == DeliveryStatus.DEAD
    assert "'localhost' resolves to an address that is not public (127.0.0.1" in delivery.last_error
    assert push_service.pushes == []


def test_an_ip_literal_host_is_refused_at_send_time(push_service, make_user, subscribe, publish, settings):
    delivery = _push_to(
        push_service,
        make_user,
        subscribe,
        publish,
        settings,
        lambda url: url.replace("localhost", "127.0.0.1"),
        WEBPUSH_ALLOW_PRIVATE_HOSTS=False,
    )
    assert delivery.status == DeliveryStatus.DEAD
    assert "is an IP address" in delivery.last_error
    assert push_service.pushes == []


def test_a_stored_endpoint_outside_the_allowed_hosts_is_refused_at_send_time(
    push_service, make_user, subscribe, publish, settings
):
    delivery = _push_to(
        push_service,
        make_user,
        subscribe,
        publish,
        settings,
        lambda url: url,
        WEBPUSH_ALLOWED_HOSTS=["fcm.googleapis.com"],
    )
    assert delivery.status == DeliveryStatus.DEAD
    assert "is not in SIGNAL_NOTIFIER['WEBPUSH_ALLOWED_HOSTS']" in delivery.last_error
    assert push_service.pushes == []


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "169.254.169.254", "10.0.0.1", "[::1]", "::1"],
)
def test_every_spelling_of_an_ip_address_is_an_ip_literal(host):
    assert webpush_hosts.is_ip_literal(host)


@pytest.mark.parametrize(
    "host", ["fcm.googleapis.com", "updates.push.services.mozilla.com", "localhost", "0x7f.example"]
)
def test_names_are_not_ip_literals(host):
    assert not webpush_hosts.is_ip_literal(host)


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("142.250.74.10", False),
        ("2a00:1450:4001:80b::200a", False),
    ],
)
def test_only_public_addresses_may_be_reached(address, blocked):
    assert webpush_hosts.non_public(address) is blocked


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("fcm.googleapis.com", True),
        ("android.googleapis.com", True),
        ("updates.push.services.mozilla.com", True),
        ("wns2-by3p.notify.windows.com", True),
        ("web.push.apple.com", True),
        ("push.services.mozilla.com.evil.example", False),
        ("evilfcm.googleapis.com", False),
        ("googleapis.com", False),
        ("push.example", False),
    ],
)
def test_the_default_allowed_hosts_are_the_browsers_push_services(host, allowed):
    assert webpush_hosts.host_allowed(host) is allowed


def test_allowed_hosts_none_or_star_allow_any_name(settings):
    for allowed in (None, ["*"]):
        settings.SIGNAL_NOTIFIER = {"WEBPUSH_ALLOWED_HOSTS": allowed}
        assert webpush_hosts.endpoint_problem("https://push.example/x") is None
        assert "is an IP address" in webpush_hosts.endpoint_problem("https://0x7f000001/x")


def test_check_deploy_warns_while_private_hosts_are_allowed(settings):
    assert check_webpush_private_hosts() == []
    settings.SIGNAL_NOTIFIER = {"WEBPUSH_ALLOW_PRIVATE_HOSTS": True}
    (warning,) = check_webpush_private_hosts()
    assert warning.id == "signal_notifier.W047"
    assert warning in run_checks(include_deployment_checks=True)
    assert warning not in run_checks()


def _pushed_request(settings, monkeypatch, answers):
    """The request one push to ``https://fcm.googleapis.com/fcm/send/x`` sends, the name resolving to ``answers`` in turn."""
    settings.SIGNAL_NOTIFIER = {
        "WEBPUSH_VAPID_PRIVATE_KEY": PRIVATE_KEY,
        "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.org",
    }
    lookups = iter(answers)
    monkeypatch.setattr(webpush_hosts, "resolve", lambda host, port: next(lookups))
    browser = BrowserSubscription()
    device = WebPushDevice(endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh=browser.p256dh, auth=browser.auth)
    sent: list[httpx.Request] = []
    messenger = WebPushMessenger()
    with messenger.connection():
        messenger._client = httpx.Client(
            transport=httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(201))
        )
        assert messenger.push(device, b"{}") == 201
    (request,) = sent
    return request


def test_the_push_goes_to_the_checked_address_with_the_name_in_host_and_sni(settings, monkeypatch):
    request = _pushed_request(settings, monkeypatch, [["142.250.74.10"]])
    assert str(request.url) == "https://142.250.74.10/fcm/send/x"
    assert request.headers["Host"] == "fcm.googleapis.com"
    assert request.extensions["sni_hostname"] == "fcm.googleapis.com"


def test_a_name_rebound_to_a_private_address_after_the_check_is_still_reached_at_the_checked_one(settings, monkeypatch):
    request = _pushed_request(settings, monkeypatch, [["142.250.74.10"], ["127.0.0.1"]])
    assert request.url.host == "142.250.74.10"


@pytest.mark.parametrize(
    ("endpoint", "address", "url", "host"),
    [
        (
            "https://fcm.googleapis.com/fcm/send/x?a=1",
            "142.250.74.10",
            "https://142.250.74.10/fcm/send/x?a=1",
            "fcm.googleapis.com",
        ),
        (
            "https://Push.Example.:8443/p",
            "2a00:1450:4001:80b::200a",
            "https://[2a00:1450:4001:80b::200a]:8443/p",
            "push.example:8443",
        ),
    ],
)
def test_the_pinned_url_names_the_address_and_the_host_header_the_name(endpoint, address, url, host):
    assert webpush_hosts.pinned_url(endpoint, address) == url
    assert webpush_hosts.host_header(endpoint) == host
