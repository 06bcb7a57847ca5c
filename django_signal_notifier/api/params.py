"""Reading the API's query parameters and JSON bodies strictly: a value the schema does not allow is a 400."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from django_signal_notifier.api.responses import BadRequest
from django_signal_notifier.api.schema import MAX_ID, MAX_IDS

LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60(\.\d+)?")
BOOLEANS = {"true": True, "false": False}


def boolean(request: HttpRequest, name: str, default: bool | None = None) -> bool | None:
    value = request.GET.get(name)
    if value is None:
        return default
    if value not in BOOLEANS:
        raise BadRequest({name: "Use true or false."})
    return BOOLEANS[value]


def integer(request: HttpRequest, name: str, default: int, minimum: int, maximum: int) -> int:
    value = request.GET.get(name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or not minimum <= int(value) <= maximum:
        raise BadRequest({name: f"An integer from {minimum} to {maximum}."})
    return int(value)


def texts(request: HttpRequest, name: str, max_length: int) -> list[str]:
    """Every value of a repeated parameter: 1 to ``max_length`` characters, no NUL (databases refuse it)."""
    values = request.GET.getlist(name)
    if any(not 1 <= len(value) <= max_length or "\x00" in value for value in values):
        raise BadRequest({name: f"1 to {max_length} characters, without NUL."})
    return values


def moment(request: HttpRequest, name: str) -> datetime | None:
    """An RFC 3339 date-time; without an offset it is read in the current time zone.

    RFC 3339 allows what Python does not parse: lowercase ``t``/``z`` and a leap second (read as
    the end of the 59th). A moment so close to year 1 or 9999 that it leaves the calendar once in
    UTC is read as the earliest or latest moment the database holds.
    """
    value = request.GET.get(name)
    if value is None:
        return None
    return parse_moment(value, name)


def parse_moment(value: str, name: str) -> datetime:
    """``value`` read as :func:`moment` reads a parameter; a bad one is a 400 naming ``name``."""
    text = LEAP_SECOND.sub(r"\g<1>59.999999", value.upper())
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadRequest({name: "An RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z."})
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=timezone.get_current_timezone())
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return (datetime.min if parsed.year == 1 else datetime.max).replace(tzinfo=UTC)


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeError):
        raise BadRequest({"body": "Send a JSON object (Content-Type: application/json)."})
    if not isinstance(body, dict):
        raise BadRequest({"body": "Send a JSON object (Content-Type: application/json)."})
    return body


def ids(body: dict[str, Any]) -> list[int]:
    """The body's ``ids``: 1 to MAX_IDS notification ids."""
    value = body.get("ids")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_IDS or not all(map(_is_id, value)):
        raise BadRequest({"ids": f"A list of 1 to {MAX_IDS} notification ids (integers from 1)."})
    return list(dict.fromkeys(int(item) for item in value))


def _is_id(value: Any) -> bool:
    # JSON Schema counts 7.0 as an integer, and so does the API.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value).is_integer() and 1 <= value <= MAX_ID
