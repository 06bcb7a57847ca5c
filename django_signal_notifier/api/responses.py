"""The API's JSON answers: every one private to its user, every error ``{"error": ..., "fields": {...}}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def private(response: HttpResponse) -> HttpResponse:
    """Per-user answers: never stored by a shared cache, always revalidated by the browser."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return response


def json_response(payload: dict[str, Any], status: int = 200) -> HttpResponse:
    return private(JsonResponse(payload, status=status))


def error_response(message: str, status: int = 400, fields: dict[str, str] | None = None) -> HttpResponse:
    """``{"error": message}``, with ``fields`` (parameter → problem) when the request named bad values."""
    payload: dict[str, Any] = {"error": message}
    if fields:
        payload["fields"] = fields
    return json_response(payload, status=status)


class BadRequest(Exception):
    """A parameter or body the API cannot use: answered 400 with the fields at fault."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields
