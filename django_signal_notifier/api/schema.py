"""The OpenAPI 3.1 document of the API, built from Python data: served by the API, the source of its docs page.

The document is the contract the tests hold the views to (schemathesis calls every operation
with generated inputs and checks each answer against it), so a change to a view that this file
does not describe fails the build.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from django_signal_notifier.conf import app_settings

API_VERSION = "1.0.0"
DEFAULT_SERVER_URL = "/inbox/api/v1"
# The largest id a database integer column holds: larger ones can name no row.
MAX_ID = 2**63 - 1
MAX_IDS = 1000

DESCRIPTION = """\
The signed-in user's in-site notifications and notification preferences.

**Authentication.** Either a personal token, `Authorization: Bearer <token>` (created in the
admin or with `manage.py signal_notifier token create <username>`), or the site's session cookie.
With the session, requests that write (POST, PATCH) must send Django's CSRF token in the
`X-CSRFToken` header; token requests need none. A request with an `Authorization: Bearer`
header is judged by that header alone.

**Isolation.** Every answer is about the authenticated user's own rows: another user's
notification id answers 404, and is listed in `unknown_ids` (and left alone) by bulk actions.

**Pagination.** Lists are newest first and paginated by an opaque cursor: pass the
`next_cursor` of a page (with the same filters) to get the next one. Pages do not shift when
new notifications arrive meanwhile.

**Errors** are JSON: `{"error": "...", "fields": {"parameter": "problem"}}`.
"""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


UNAUTHORIZED = _error("No valid token or session.")
FORBIDDEN = _error("Session request without a valid CSRF token.")
BAD_REQUEST = _error("A parameter or the body is invalid; `fields` names which.")


def _schemas() -> dict[str, Any]:
    integer = {"type": "integer", "minimum": 0}
    reference = {
        "type": "object",
        "description": "Who or what the notification names, as named when it happened.",
        "required": ["text", "url", "content_type", "id"],
        "properties": {
            "text": {"type": "string", "description": "The name when the event happened."},
            "url": {"type": "string", "description": "The live object's link, or empty."},
            "content_type": {"type": ["integer", "null"], "description": "Its Django content type id."},
            "id": {"type": "string", "description": "Its primary key, as text (empty: none)."},
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "Reference": reference,
        "Notification": {
            "type": "object",
            "required": [
                "id",
                "verb",
                "title",
                "body",
                "url",
                "unread",
                "archived",
                "created_at",
                "data",
                "actor",
                "action_object",
                "target",
            ],
            "properties": {
                "id": {"type": "integer"},
                "verb": {"type": "string", "description": "The signal's name, e.g. `post_save`."},
                "title": {"type": "string"},
                "body": {"type": "string"},
                "url": {"type": "string", "description": "A relative or http(s) link, or empty."},
                "unread": {"type": "boolean"},
                "archived": {"type": "boolean"},
                "created_at": {"type": "string", "format": "date-time"},
                "data": {"description": "The message template's JSON extras."},
                "actor": _ref("Reference"),
                "action_object": _ref("Reference"),
                "target": _ref("Reference"),
            },
        },
        "NotificationPage": {
            "type": "object",
            "required": ["results", "next_cursor", "next", "unread_count"],
            "properties": {
                "results": {"type": "array", "items": _ref("Notification")},
                "next_cursor": {"type": ["string", "null"], "description": "Null on the last page."},
                "next": {"type": ["string", "null"], "description": "The next page's URL (path and query)."},
                "unread_count": {**integer, "description": "Active unread notifications, whatever the filters."},
            },
        },
        "Counts": {
            "type": "object",
            "required": ["unread", "active", "archived", "total"],
            "properties": {
                "unread": {**integer, "description": "Active (not archived) and unread."},
                "active": {**integer, "description": "Not archived."},
                "archived": integer,
                "total": integer,
            },
        },
        "Ids": {
            "type": "object",
            "required": ["ids"],
            "properties": {
                "ids": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_IDS,
                    "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                }
            },
        },
        "BulkResult": {
            "type": "object",
            "required": ["changed", "ids", "unknown_ids", "unread_count"],
            "properties": {
                "changed": {**integer, "description": "Rows whose state changed."},
                "ids": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "The user's ids among those sent.",
                },
                "unknown_ids": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "Ids that are not the user's notifications: left alone.",
                },
                "unread_count": integer,
            },
        },
        "ReadAllResult": {
            "type": "object",
            "required": ["changed", "unread_count"],
            "properties": {"changed": integer, "unread_count": integer},
        },
        "DeliveryTimes": {
            "type": "object",
            "description": (
                "When the user wants their notifications: a digest frequency (empty: as each notification is set up), "
                "an IANA time zone (empty: the site's) and quiet hours in local time (both or neither)."
            ),
            "properties": {
                "digest_frequency": {"type": "string", "enum": ["", "immediately", "hourly", "daily", "weekly"]},
                "time_zone": {"type": "string", "examples": ["Europe/Paris"]},
                "quiet_hours_start": {"type": ["string", "null"], "examples": ["22:00"]},
                "quiet_hours_end": {"type": ["string", "null"], "examples": ["07:00"]},
            },
        },
        "Preferences": {
            "type": "object",
            "required": ["channels", "subscriptions", "delivery_times"],
            "properties": {
                "delivery_times": _ref("DeliveryTimes"),
                "channels": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["channel", "label"],
                        "properties": {"channel": {"type": "string"}, "label": {"type": "string"}},
                    },
                },
                "subscriptions": {
                    "type": "array",
                    "description": "First the row of every subscription (`id` null), then one per subscription.",
                    "items": {
                        "type": "object",
                        "required": ["id", "label", "mandatory", "channels"],
                        "properties": {
                            "id": {"type": ["integer", "null"]},
                            "label": {"type": "string"},
                            "mandatory": {"type": "boolean", "description": "Cannot be turned off."},
                            "channels": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["channel", "enabled", "locked"],
                                    "properties": {
                                        "channel": {"type": "string"},
                                        "enabled": {"type": "boolean"},
                                        "locked": {"type": "boolean"},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "PreferencesUpdate": {
            "type": "object",
            "description": "The choices to change, the delivery times to change, or both.",
            "anyOf": [{"required": ["preferences"]}, {"required": ["delivery_times"]}],
            "properties": {
                "delivery_times": _ref("DeliveryTimes"),
                "preferences": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["subscription", "channel", "enabled"],
                        "properties": {
                            "subscription": {
                                "type": ["integer", "null"],
                                "description": "A subscription id, or null for every subscription.",
                            },
                            "channel": {"type": "string"},
                            "enabled": {"type": "boolean"},
                        },
                    },
                },
            },
        },
    }


def _list_parameters(page_size: int, max_page_size: int) -> list[dict[str, Any]]:
    return [
        {
            "name": "unread",
            "in": "query",
            "description": "Only unread (`true`) or only read (`false`) notifications.",
            "schema": {"type": "boolean"},
        },
        {
            "name": "archived",
            "in": "query",
            "description": "The archive (`true`) instead of the inbox (`false`, the default).",
            "schema": {"type": "boolean", "default": False},
        },
        {
            "name": "verb",
            "in": "query",
            "description": "Only these signals (repeat the parameter for several).",
            "style": "form",
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "pattern": "^[^\\u0000]{1,128}$"}},
        },
        {
            "name": "since",
            "in": "query",
            "description": "Only notifications created after this moment (RFC 3339).",
            "schema": {"type": "string", "format": "date-time"},
        },
        {
            "name": "cursor",
            "in": "query",
            "description": "The `next_cursor` of the previous page.",
            "schema": {"type": "string"},
        },
        {
            "name": "limit",
            "in": "query",
            "description": "Notifications per page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_page_size, "default": page_size},
        },
    ]


def _bulk(action: str, summary: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": f"notifications_{action}",
            "tags": ["notifications"],
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Ids")}}},
            "responses": {
                "200": _json(_ref("BulkResult"), "Done; ids that are not the user's are listed, untouched."),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
            },
        }
    }


def openapi_document(
    server_url: str = DEFAULT_SERVER_URL,
    page_size: int | None = None,
    max_page_size: int | None = None,
    session_cookie: str | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document, the API served at ``server_url``; page sizes default to the settings."""
    page_size = int(app_settings.INBOX_PAGE_SIZE if page_size is None else page_size)
    max_page_size = int(app_settings.INBOX_MAX_PAGE_SIZE if max_page_size is None else max_page_size)
    session_cookie = session_cookie or settings.SESSION_COOKIE_NAME
    return {
        "openapi": "3.1.0",
        "info": {"title": "django-signal-notifier", "version": API_VERSION, "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
        "tags": [
            {"name": "notifications", "description": "The in-site inbox."},
            {"name": "preferences", "description": "What the user receives, per subscription and channel."},
            {"name": "schema", "description": "This document."},
        ],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "tags": ["schema"],
                    "summary": "This OpenAPI document",
                    "security": [],
                    "responses": {"200": _json({"type": "object"}, "The document.")},
                }
            },
            "/notifications/": {
                "get": {
                    "operationId": "notifications_list",
                    "tags": ["notifications"],
                    "summary": "List notifications",
                    "description": "Newest first, one page per cursor. Filters combine.",
                    "parameters": _list_parameters(page_size, max_page_size),
                    "responses": {
                        "200": _json(_ref("NotificationPage"), "A page of notifications."),
                        "400": BAD_REQUEST,
                        "401": UNAUTHORIZED,
                    },
                }
            },
            "/notifications/{id}/": {
                "get": {
                    "operationId": "notifications_read_one",
                    "tags": ["notifications"],
                    "summary": "One notification",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": "The notification's id.",
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("Notification"), "The notification."),
                        "401": UNAUTHORIZED,
                        "404": _error("Not one of the user's notifications."),
                    },
                }
            },
            "/notifications/counts/": {
                "get": {
                    "operationId": "notifications_counts",
                    "tags": ["notifications"],
                    "summary": "Count notifications per folder",
                    "responses": {"200": _json(_ref("Counts"), "The counts, in one query."), "401": UNAUTHORIZED},
                }
            },
            "/notifications/read/": _bulk("read", "Mark notifications read"),
            "/notifications/unread/": _bulk("unread", "Mark notifications unread"),
            "/notifications/archive/": _bulk("archive", "Archive notifications"),
            "/notifications/unarchive/": _bulk("unarchive", "Move notifications back to the inbox"),
            "/notifications/read-all/": {
                "post": {
                    "operationId": "notifications_read_all",
                    "tags": ["notifications"],
                    "summary": "Mark every notification read",
                    "responses": {
                        "200": _json(_ref("ReadAllResult"), "Done, in one UPDATE."),
                        "401": UNAUTHORIZED,
                        "403": FORBIDDEN,
                    },
                }
            },
            "/preferences/": {
                "get": {
                    "operationId": "preferences_read",
                    "tags": ["preferences"],
                    "summary": "Read preferences",
                    "description": "The subscriptions that reach the user, each with its channels and the choice.",
                    "responses": {"200": _json(_ref("Preferences"), "The preferences."), "401": UNAUTHORIZED},
                },
                "patch": {
                    "operationId": "preferences_update",
                    "tags": ["preferences"],
                    "summary": "Change preferences",
                    "description": (
                        "Sets the listed (subscription, channel) choices; the others stay as they are (a choice the user "
                        "never made keeps following the broader ones, e.g. the row of every subscription). "
                        "Mandatory subscriptions cannot be turned off. `delivery_times` changes the fields it gives "
                        "(digest frequency, time zone, quiet hours). Answers the new preferences."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("PreferencesUpdate")}},
                    },
                    "responses": {
                        "200": _json(_ref("Preferences"), "The preferences after the change."),
                        "400": BAD_REQUEST,
                        "401": UNAUTHORIZED,
                        "403": FORBIDDEN,
                    },
                },
            },
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer", "description": "A personal API token."},
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": session_cookie,
                    "description": "The site's session; writes also need the X-CSRFToken header.",
                },
            },
        },
    }
