"""Fixtures for the channel tests: a real SMTP server on loopback and the pipeline in one call."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import override_settings

from django_signal_notifier.config.declare import Declarer
from django_signal_notifier.models import Delivery
from tests.testapp.models import Article


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    peer: Any
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Accepts mail; refuses recipients containing 'bounce' (550) and defers 'later' (450)."""

    received: list[Received] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.peers.append(session.peer)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if "bounce" in address:
            return "550 5.1.1 No such user here"
        if "later" in address:
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(session.peer, envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class SMTPServer:
    port: int
    handler: RecordingHandler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def connections(self) -> int:
        """Distinct client connections that sent mail (one peer address per TCP connection)."""
        return len({r.peer for r in self.received})


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real aiosmtpd server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
            DEFAULT_FROM_EMAIL="site@example.org",
        ):
            yield SMTPServer(port, handler)
    finally:
        controller.stop()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Any:
        n = next(counter)
        fields.setdefault("username", f"user{n}")
        fields.setdefault("email", f"user{n}@example.org")
        return get_user_model().objects.create(**fields)

    return make


@pytest.fixture
def subscribe(db: Any) -> Callable[..., Any]:
    """Configure 'a new Article notifies these users through this messenger'."""

    def configure(messenger: str, users: list[Any], options: dict[str, Any] | None = None, template: str = "") -> Any:
        declarer = Declarer()
        trigger = declarer.trigger("article-saved", verb="post_save", model="testapp.Article")
        backend = declarer.backend(
            f"backend-{messenger.lower()}", messenger=messenger, message_template=template, options=options
        )
        declarer.subscription("article-subscribers", trigger=trigger, backends=[backend], users=users)
        return backend

    return configure


@pytest.fixture
def publish(django_capture_on_commit_callbacks: Any) -> Callable[..., list[Delivery]]:
    """Save an Article and run what a commit runs (fan-out, then the immediate task backend)."""

    def save(title: str = "Hello world", **fields: Any) -> list[Delivery]:
        with django_capture_on_commit_callbacks(execute=True):
            article = Article.objects.create(title=title, **fields)
        return list(Delivery.objects.filter(event__action_object_id=str(article.pk)).order_by("recipient_id"))

    return save


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def api_server(httpserver: Any) -> Any:
    """pytest-httpserver on 127.0.0.1, cleared after each test (it closes connections after each response)."""
    return httpserver


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int


class KeepAliveServer:
    """A real HTTP/1.1 server on 127.0.0.1 that keeps connections alive (werkzeug's never does).

    It answers every request with ``status`` and ``answer`` (JSON) and records each request with
    the client's port: one port for a batch proves the messenger reused its connection.
    """

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hits: list[Hit] = []
        self.status = 200
        self.answer: Any = {"ok": True}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.hits.append(Hit("POST", self.path, dict(self.headers), body, self.client_address[1]))
                payload = json.dumps(outer.answer).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def keepalive_server() -> Iterator[KeepAliveServer]:
    server = KeepAliveServer()
    try:
        yield server
    finally:
        server.stop()


def request_json(server: Any, index: int = 0) -> Any:
    import json

    return json.loads(server.log[index][0].get_data())
