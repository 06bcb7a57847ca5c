"""The API's Web Push subscriptions: the VAPID key to subscribe with, and the user's browsers registered and removed.

A browser registers what ``PushSubscription.toJSON()`` gives (``endpoint`` and ``keys``); the
same endpoint registered again by its user updates its one row. The endpoint is where the server
will POST, so its host must be a push service ``WEBPUSH_ALLOWED_HOSTS`` allows (never an IP
address), registration needs the VAPID key the browser subscribed with, an endpoint another user
registered answers 409, and a user has at most ``WEBPUSH_MAX_DEVICES`` browsers.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse

from django_signal_notifier.api import params
from django_signal_notifier.api.responses import BadRequest, error_response, json_response
from django_signal_notifier.api.schema import (
    WEBPUSH_AUTH_PATTERN,
    WEBPUSH_ENDPOINT_MAX_LENGTH,
    WEBPUSH_ENDPOINT_PATTERN,
    WEBPUSH_P256DH_PATTERN,
    WEBPUSH_USER_AGENT_MAX_LENGTH,
)
from django_signal_notifier.conf import app_settings
from django_signal_notifier.messengers.webpush import configured_public_key, public_key_problem
from django_signal_notifier.messengers.webpush_hosts import endpoint_problem
from django_signal_notifier.models import EndpointTaken, WebPushDevice


def device_json(device: WebPushDevice) -> dict[str, Any]:
    """A device as the API shows it: never its endpoint or keys, only the push service's host."""
    return {
        "id": device.pk,
        "push_service": device.endpoint.split("/")[2],
        "user_agent": device.user_agent,
        "created_at": device.created_at.isoformat(),
        "last_used_at": device.last_used_at.isoformat() if device.last_used_at else None,
    }


def _endpoint(body: dict[str, Any]) -> str:
    endpoint = body.get("endpoint")
    if (
        not isinstance(endpoint, str)
        or len(endpoint) > WEBPUSH_ENDPOINT_MAX_LENGTH
        or not re.fullmatch(WEBPUSH_ENDPOINT_PATTERN, endpoint)
    ):
        raise BadRequest(
            {
                "endpoint": f"The https:// URL of the push subscription (at most {WEBPUSH_ENDPOINT_MAX_LENGTH} characters)."
            }
        )
    return endpoint


def subscription_from(body: dict[str, Any]) -> tuple[str, str, str, str]:
    """``(endpoint, p256dh, auth, user_agent)`` of a ``PushSubscription.toJSON()`` body, or BadRequest."""
    endpoint = _endpoint(body)
    problem = endpoint_problem(endpoint)
    if problem:
        raise BadRequest({"endpoint": problem})
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise BadRequest({"keys": "An object with the subscription's p256dh and auth keys (base64url)."})
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not re.fullmatch(WEBPUSH_P256DH_PATTERN, p256dh):
        raise BadRequest({"keys.p256dh": "The subscription's P-256 public key: 65 bytes in base64url."})
    problem = public_key_problem(p256dh)
    if problem:
        raise BadRequest({"keys.p256dh": problem})
    if not isinstance(auth, str) or not re.fullmatch(WEBPUSH_AUTH_PATTERN, auth):
        raise BadRequest({"keys.auth": "The subscription's auth secret: 16 bytes in base64url."})
    user_agent = body.get("user_agent", "")
    if not isinstance(user_agent, str) or len(user_agent) > WEBPUSH_USER_AGENT_MAX_LENGTH or "\x00" in user_agent:
        raise BadRequest({"user_agent": f"Text of at most {WEBPUSH_USER_AGENT_MAX_LENGTH} characters (no NUL)."})
    return endpoint, p256dh, auth, user_agent


def register(request: HttpRequest) -> HttpResponse:
    """POST: the subscription registered for the user (201), or updated (200); 409 when it cannot be."""
    endpoint, p256dh, auth, user_agent = subscription_from(params.json_body(request))
    if not app_settings.WEBPUSH_VAPID_PRIVATE_KEY or not app_settings.WEBPUSH_VAPID_SUBJECT:
        return error_response(
            "Web Push is not configured on this server (SIGNAL_NOTIFIER['WEBPUSH_VAPID_PRIVATE_KEY'] and "
            "['WEBPUSH_VAPID_SUBJECT']): nothing could be sent to this subscription.",
            status=409,
        )
    try:
        device, created = WebPushDevice.objects.register(
            request.user, endpoint, p256dh, auth, user_agent, max_devices=app_settings.WEBPUSH_MAX_DEVICES
        )
    except EndpointTaken:
        return error_response(
            "This endpoint is registered to another user: unsubscribe in the browser and subscribe again "
            "for a new endpoint.",
            status=409,
            fields={"endpoint": "Registered to another user."},
        )
    return json_response(device_json(device), status=201 if created else 200)


def webpush_devices(request: HttpRequest) -> HttpResponse:
    """GET: the key to subscribe with and the user's browsers. POST: register one. DELETE: remove one."""
    if request.method == "POST":
        return register(request)
    if request.method == "DELETE":
        endpoint = _endpoint(params.json_body(request))
        removed, _rows = WebPushDevice.objects.for_user(request.user).filter(endpoint=endpoint).delete()
        return json_response({"removed": removed})
    devices = WebPushDevice.objects.for_user(request.user).order_by("-created_at", "-pk")
    return json_response(
        {"vapid_public_key": configured_public_key(), "devices": [device_json(device) for device in devices]}
    )
