"""Fixtures of the security suite."""

from __future__ import annotations

from tests.messengers.conftest import api_server, httpserver_listen_address  # noqa: F401

XSS_PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
