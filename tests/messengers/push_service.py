"""A push service on loopback that does what a real one checks: the VAPID signature, the headers, and the payload.

A browser's subscription is a P-256 key pair and a 16-byte auth secret; :class:`BrowserSubscription`
makes one (cryptography's ECDH keys). :class:`FakePushService` serves endpoints on pytest-httpserver:
each push is decrypted with the subscription's private key (``http_ece``, RFC 8188/8291) and its
VAPID JWT verified with the public key the ``Authorization`` header carries (ES256), as a push
service would. An endpoint can be made to answer 410 (unsubscribed) or 404.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from werkzeug import Request, Response


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """What ``pushManager.subscribe()`` creates in a browser: a key pair and an auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> bytes:
        return bytes(
            http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        )


@dataclass
class Push:
    """One push the service accepted, decrypted and verified."""

    path: str
    headers: dict[str, str]
    claims: dict[str, Any]
    vapid_public_key: str
    payload: dict[str, Any]


def verify_vapid(authorization: str) -> tuple[dict[str, Any], str]:
    """The claims of an RFC 8292 ``vapid t=<jwt>,k=<key>`` header, its ES256 signature checked against ``k``."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    raw = unb64url(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("the VAPID JWT's signature does not verify") from None
    return json.loads(unb64url(claims_b64)), parts["k"]


class FakePushService:
    """Endpoints ``/push/<name>`` on pytest-httpserver, each with its browser's keys."""

    def __init__(self, httpserver: Any) -> None:
        self.httpserver = httpserver
        self.browsers: dict[str, BrowserSubscription] = {}
        self.answers: dict[str, int] = {}
        self.pushes: list[Push] = []
        self.errors: list[str] = []

    def subscribe(self, name: str, answer: int = 201) -> tuple[str, BrowserSubscription]:
        """A new browser subscription: its endpoint URL and its keys. ``answer``: the status its pushes get."""
        browser = BrowserSubscription()
        self.browsers[name] = browser
        self.answers[name] = answer
        path = f"/push/{name}"
        self.httpserver.expect_request(path, method="POST").respond_with_handler(
            lambda request, name=name: self._handle(name, request)
        )
        return self.httpserver.url_for(path), browser

    def _handle(self, name: str, request: Request) -> Response:
        try:
            claims, key = verify_vapid(request.headers["Authorization"])
            assert request.headers["Content-Encoding"] == "aes128gcm"
            payload = json.loads(self.browsers[name].decrypt(request.get_data()))
        except Exception as error:  # the test fails on any refusal: it is reported, not swallowed
            self.errors.append(f"{name}: {type(error).__name__}: {error}")
            return Response("bad push", status=400)
        self.pushes.append(Push(request.path, dict(request.headers), claims, key, payload))
        status = self.answers[name]
        return Response("" if status < 300 else "subscription expired", status=status)
