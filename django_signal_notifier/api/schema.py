"""The OpenAPI 3.1 document of the API, built from Python data: served by the API, the source of its docs page.

The document is the contract the tests hold the views to (schemathesis calls every operation
with generated inputs and checks each answer against it), so a change to a view that this file
does not describe fails the build.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from django_signal_notifier.conf import app_settings

# Web Push subscriptions as browsers give them (PushSubscription.toJSON()): the views hold requests to these.
WEBPUSH_ENDPOINT_PATTERN = r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[!-~]*$"
WEBPUSH_P256DH_PATTERN = r"^B[A-Za-z0-9_-]{86}=?$"
WEBPUSH_AUTH_PATTERN = r"^[A-Za-z0-9_-]{22}(==)?$"
WEBPUSH_USER_AGENT_MAX_LENGTH = 300
WEBPUSH_ENDPOINT_MAX_LENGTH = 700  # WebPushDevice.endpoint's max_length (the document is built without Django set up)

API_VERSION = "1.0.0"
DEFAULT_SERVER_URL = "/inbox/api/v1"
# The largest id a database integer column holds: larger ones can name no row.
MAX_ID = 2**63 - 1
MAX_IDS = 1000
MAX_PAGE = 1_000_000

DESCRIPTION = """\
The signed-in user's in-site notifications and notification preferences.

**Authentication.** Either a personal token, `Authorization: Bearer <token>` (created in the
admin or with `manage.py signal_notifier token create <username>`), or the site's session cookie.
With the session, requests that write (POST, PATCH, DELETE) must send Django's CSRF token in the
`X-CSRFToken` header; token requests need none. A request with an `Authorization: Bearer`
header is judged by that header alone.

**Isolation.** Every answer is about the authenticated user's own rows: another user's
notification id answers 404, and is listed in `unknown_ids` (and left alone) by bulk actions.

**Pagination.** Lists are newest first and paginated by an opaque cursor: pass the
`next_cursor` of a page (with the same filters) to get the next one. Pages do not shift when
new notifications arrive meanwhile.

**Seen, read, snoozed, expired.** A notification is *seen* once shown in a list or dropdown the
user opened (`seen-all`), *read* once opened; a snoozed one is hidden until its time and comes
back unread; an expired one is hidden for good. Lists and counts leave out snoozed and expired ones.

**Mutes.** Muting a notification's thread (its target, else its object) leaves the user out of
every later notification about it, on every channel, until they follow it again.

**Groups.** The inbox shows notifications with the same group key (by default: the same verb
and object) as one entry, "bob and 3 others commented on X". `/groups/` lists entries by page;
an entry is named by the id of any of its notifications; `unread_count` counts entries.

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
                *STATE_FIELDS,
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
                **_state_properties(),
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
        "Group": {
            "type": "object",
            "description": "An inbox entry: its newest notification, with the entry's line and facts.",
            "allOf": [_ref("Notification")],
            "required": ["summary", "group"],
            "properties": {
                "summary": {"type": "string", "description": "The newest title, its actor widened to the group's."},
                "group": {
                    "type": "object",
                    "required": ["size", "unread_count", "actors", "actor_count", "actors_text"],
                    "properties": {
                        "size": {"type": "integer", "minimum": 1, "description": "Notifications in the entry."},
                        "unread_count": {**integer, "description": "Unread notifications in the entry."},
                        "actors": {
                            "type": "array",
                            "items": {"type": "string"},
                            "maxItems": 3,
                            "description": "Up to three distinct actors, newest first.",
                        },
                        "actor_count": {**integer, "description": "Distinct actors in the entry."},
                        "actors_text": {"type": "string", "description": "“bob and 3 others”, translated."},
                    },
                },
            },
        },
        "GroupPage": {
            "type": "object",
            "required": ["results", "page", "num_pages", "count", "unread_count"],
            "properties": {
                "results": {"type": "array", "items": _ref("Group")},
                "page": {"type": "integer", "minimum": 1},
                "num_pages": {"type": "integer", "minimum": 1},
                "count": {**integer, "description": "Entries in the folder."},
                "unread_count": {**integer, "description": "Active entries with an unread notification."},
            },
        },
        "GroupMembers": {
            "type": "object",
            "required": ["id", "results"],
            "properties": {
                "id": {"type": "integer"},
                "results": {"type": "array", "items": _ref("Notification"), "description": "Newest first."},
            },
        },
        "GroupWriteResult": {
            "type": "object",
            "required": ["changed", "unread_count"],
            "properties": {
                "changed": {**integer, "description": "Notifications whose state changed."},
                "unread_count": integer,
            },
        },
        "Counts": {
            "type": "object",
            "required": ["unread", "unseen", "active", "snoozed", "archived", "total"],
            "properties": {
                "unread": {**integer, "description": "Active (not archived, not snoozed) and unread."},
                "unseen": {**integer, "description": "Active and never seen in a list (a badge's count)."},
                "active": {**integer, "description": "Not archived, not snoozed: the inbox. Expired ones are nowhere."},
                "snoozed": {**integer, "description": "Hidden until their snooze ends."},
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
        "WebPushDevice": {
            "type": "object",
            "required": ["id", "push_service", "user_agent", "created_at", "last_used_at"],
            "properties": {
                "id": {"type": "integer"},
                "push_service": {
                    "type": "string",
                    "description": "The push service's host (the endpoint is not shown).",
                },
                "user_agent": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "last_used_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "WebPushDevices": {
            "type": "object",
            "required": ["vapid_public_key", "devices"],
            "properties": {
                "vapid_public_key": {
                    "type": ["string", "null"],
                    "description": "The applicationServerKey to subscribe with; null when Web Push is not configured.",
                },
                "devices": {"type": "array", "items": _ref("WebPushDevice")},
            },
        },
        "WebPushEndpoint": {
            "type": "object",
            "required": ["endpoint"],
            "properties": {
                "endpoint": {
                    "type": "string",
                    "maxLength": WEBPUSH_ENDPOINT_MAX_LENGTH,
                    "pattern": WEBPUSH_ENDPOINT_PATTERN,
                    "description": "The subscription's push service URL.",
                }
            },
        },
        "WebPushSubscription": {
            "type": "object",
            "description": "What the browser's `PushSubscription.toJSON()` gives, and optionally its user agent.",
            "required": ["endpoint", "keys"],
            "properties": {
                "endpoint": {
                    "type": "string",
                    "maxLength": WEBPUSH_ENDPOINT_MAX_LENGTH,
                    "pattern": WEBPUSH_ENDPOINT_PATTERN,
                },
                "keys": {
                    "type": "object",
                    "required": ["p256dh", "auth"],
                    "properties": {
                        "p256dh": {
                            "type": "string",
                            "pattern": WEBPUSH_P256DH_PATTERN,
                            "description": "The browser's P-256 public key (65 bytes, base64url); a point of the curve.",
                        },
                        "auth": {
                            "type": "string",
                            "pattern": WEBPUSH_AUTH_PATTERN,
                            "description": "The auth secret (16 bytes, base64url).",
                        },
                    },
                },
                "user_agent": {
                    "type": "string",
                    "maxLength": WEBPUSH_USER_AGENT_MAX_LENGTH,
                    "pattern": "^[^\\u0000]*$",
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
        **_state_schemas(integer),
    }


# The seen, read, snooze, expiry and mute state of a notification (inbox.queries.inbox_state).
STATE_FIELDS = ("seen", "seen_at", "read_at", "snoozed_until", "expires_at", "thread")
_MOMENT = {"type": ["string", "null"], "format": "date-time"}


def _state_properties() -> dict[str, Any]:
    return {
        "seen": {
            "type": "boolean",
            "description": "Shown in a list or dropdown the user opened (not the same as read).",
        },
        "seen_at": {**_MOMENT, "description": "When it was first seen; null: never."},
        "read_at": {**_MOMENT, "description": "When it was read; null: unread, or read before this was recorded."},
        "snoozed_until": {**_MOMENT, "description": "Hidden until then (it comes back unread); null: not snoozed."},
        "expires_at": {**_MOMENT, "description": "Hidden from then on, and deleted later; null: never expires."},
        "thread": {"oneOf": [_ref("Thread"), {"type": "null"}]},
    }


def _state_schemas(integer: dict[str, Any]) -> dict[str, Any]:
    ids = {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_IDS,
        "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }
    mute = {
        "type": "object",
        "required": ["id", "content_type", "object_id", "text", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "content_type": {"type": "integer", "description": "The muted object's Django content type id."},
            "object_id": {"type": "string", "description": "Its primary key, as text."},
            "text": {"type": "string", "description": "Its name when it was muted."},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    return {
        "Thread": {
            "type": "object",
            "description": "What muting the notification silences: its target (the thread), else its object.",
            "required": ["content_type", "id", "text", "muted"],
            "properties": {
                "content_type": {"type": "integer"},
                "id": {"type": "string"},
                "text": {"type": "string"},
                "muted": {"type": "boolean", "description": "The user muted it (or the notification's object)."},
            },
        },
        "Snooze": {
            "type": "object",
            "description": "The ids, and either `seconds` (60 to 366 days' worth) or `until` (within a year).",
            "required": ["ids"],
            "properties": {
                "ids": ids,
                "seconds": {"type": "integer", "minimum": 60, "maximum": 366 * 24 * 3600},
                "until": {"type": "string", "format": "date-time"},
            },
            "oneOf": [{"required": ["seconds"]}, {"required": ["until"]}],
        },
        "SnoozeResult": {
            "type": "object",
            "required": ["changed", "ids", "unknown_ids", "unread_count", "snoozed_until"],
            "properties": {
                "changed": integer,
                "ids": {"type": "array", "items": {"type": "integer"}},
                "unknown_ids": {"type": "array", "items": {"type": "integer"}},
                "unread_count": integer,
                "snoozed_until": {"type": "string", "format": "date-time"},
            },
        },
        "Mute": mute,
        "MuteList": {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": _ref("Mute")}},
        },
        "MuteCreate": {
            "type": "object",
            "required": ["content_type", "object_id"],
            "properties": {
                "content_type": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                "object_id": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^\\u0000]*$"},
            },
        },
        "ThreadResult": {
            "type": "object",
            "required": ["id", "muted", "mute"],
            "properties": {
                "id": {"type": "integer"},
                "muted": {"type": "boolean"},
                "mute": {"oneOf": [_ref("Mute"), {"type": "null"}]},
            },
        },
        "Deleted": {
            "type": "object",
            "required": ["id", "deleted"],
            "properties": {"id": {"type": "integer"}, "deleted": {"type": "boolean"}},
        },
    }


def _id_parameter(what: str) -> dict[str, Any]:
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


def _post(operation_id: str, summary: str, result: str, body: str | None, tag: str = "notifications") -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "responses": {
            "200": _json(_ref(result), "Done."),
            "400": BAD_REQUEST,
            "401": UNAUTHORIZED,
            "403": FORBIDDEN,
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    return operation


def _state_paths() -> dict[str, Any]:
    thread = {
        "parameters": [_id_parameter("notification")],
    }
    return {
        "/notifications/seen/": _bulk("seen", "Mark notifications seen"),
        "/notifications/seen-all/": {
            "post": {
                **_post("notifications_seen_all", "Mark everything in the inbox seen", "ReadAllResult", None),
                "description": "Call it when the user opens the list or dropdown. Snoozed ones stay unseen.",
            }
        },
        "/notifications/snooze/": {
            "post": {
                **_post("notifications_snooze", "Snooze notifications", "SnoozeResult", "Snooze"),
                "description": (
                    "Hidden from the list and the counts until then; they come back unread and unseen. "
                    "List them with `snoozed=true`."
                ),
            }
        },
        "/notifications/unsnooze/": _bulk("unsnooze", "Bring snoozed notifications back now"),
        "/notifications/{id}/mute/": {
            **thread,
            "post": {
                **_post("notifications_mute", "Mute a notification's thread", "ThreadResult", None, "mutes"),
                "description": (
                    "Stop notifying the user about the notification's target (else its object), on every "
                    "channel. `muted` is false when the notification names nothing to mute."
                ),
                "responses": {
                    "200": _json(_ref("ThreadResult"), "Muted."),
                    "401": UNAUTHORIZED,
                    "403": FORBIDDEN,
                    "404": _error("Not one of the user's notifications."),
                },
            },
        },
        "/notifications/{id}/follow/": {
            **thread,
            "post": {
                **_post("notifications_follow", "Follow a notification's thread again", "ThreadResult", None, "mutes"),
                "responses": {
                    "200": _json(_ref("ThreadResult"), "Followed: the mute, if any, is gone."),
                    "401": UNAUTHORIZED,
                    "403": FORBIDDEN,
                    "404": _error("Not one of the user's notifications."),
                },
            },
        },
        "/mutes/": {
            "get": {
                "operationId": "mutes_list",
                "tags": ["mutes"],
                "summary": "List the user's mutes",
                "responses": {"200": _json(_ref("MuteList"), "Newest first."), "401": UNAUTHORIZED},
            },
            "post": {
                **_post("mutes_create", "Mute an object", "Mute", "MuteCreate", "mutes"),
                "description": "Idempotent: muting an object twice answers the existing mute.",
            },
        },
        "/mutes/{id}/": {
            "parameters": [_id_parameter("mute")],
            "delete": {
                "operationId": "mutes_delete",
                "tags": ["mutes"],
                "summary": "Follow a muted object again",
                "responses": {
                    "200": _json(_ref("Deleted"), "The mute is gone."),
                    "401": UNAUTHORIZED,
                    "403": FORBIDDEN,
                    "404": _error("Not one of the user's mutes."),
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
            "name": "snoozed",
            "in": "query",
            "description": "The snoozed notifications (`true`) instead of the shown ones (`false`, the default).",
            "schema": {"type": "boolean", "default": False},
        },
        {
            "name": "seen",
            "in": "query",
            "description": "Only seen (`true`) or only unseen (`false`) notifications.",
            "schema": {"type": "boolean"},
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


GROUP_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The id of any notification of the entry.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}


def _group_write(action: str, summary: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": f"groups_{action}",
            "tags": ["groups"],
            "summary": summary,
            "parameters": [GROUP_ID],
            "responses": {
                "200": _json(_ref("GroupWriteResult"), "Done, in one UPDATE of the entry's notifications."),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": _error("Not one of the user's notifications."),
            },
        }
    }


def _group_paths(page_size: int, max_page_size: int) -> dict[str, Any]:
    return {
        "/groups/": {
            "get": {
                "operationId": "groups_list",
                "tags": ["groups"],
                "summary": "List inbox entries (grouped notifications)",
                "description": "Newest entry first; an entry's notifications share a group key.",
                "parameters": [
                    {
                        "name": "show",
                        "in": "query",
                        "description": "The folder: the inbox, its unread notifications, the archive, or all.",
                        "schema": {
                            "type": "string",
                            "enum": ["active", "unread", "archived", "all"],
                            "default": "active",
                        },
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "description": "The page number (past the last page: the last page).",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "description": "Entries per page.",
                        "schema": {"type": "integer", "minimum": 1, "maximum": max_page_size, "default": page_size},
                    },
                ],
                "responses": {
                    "200": _json(_ref("GroupPage"), "A page of entries."),
                    "400": BAD_REQUEST,
                    "401": UNAUTHORIZED,
                },
            }
        },
        "/groups/{id}/": {
            "get": {
                "operationId": "groups_members",
                "tags": ["groups"],
                "summary": "The notifications of one entry",
                "parameters": [GROUP_ID],
                "responses": {
                    "200": _json(_ref("GroupMembers"), "The entry's notifications, newest first."),
                    "401": UNAUTHORIZED,
                    "404": _error("Not one of the user's notifications."),
                },
            }
        },
        "/groups/{id}/read/": _group_write("read", "Mark an entry read"),
        "/groups/{id}/archive/": _group_write("archive", "Archive an entry"),
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
            {"name": "mutes", "description": "Objects and threads the user asked to hear no more about."},
            {"name": "groups", "description": "The inbox's entries: notifications grouped by their group key."},
            {"name": "preferences", "description": "What the user receives, per subscription and channel."},
            {"name": "push", "description": "The user's browsers that receive Web Push notifications."},
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
            **_state_paths(),
            **_group_paths(page_size, max_page_size),
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
            "/push/webpush/": {
                "get": {
                    "operationId": "webpush_devices_list",
                    "tags": ["push"],
                    "summary": "The VAPID key and the user's browsers",
                    "responses": {
                        "200": _json(_ref("WebPushDevices"), "The key to subscribe with and the registered browsers."),
                        "401": UNAUTHORIZED,
                    },
                },
                "post": {
                    "operationId": "webpush_devices_register",
                    "tags": ["push"],
                    "summary": "Register a browser's push subscription",
                    "description": (
                        "One row per endpoint: registering an endpoint again updates its keys and user agent "
                        "(only for the user who registered it). The endpoint's host must be a push service the "
                        "server allows (`WEBPUSH_ALLOWED_HOSTS`), never an IP address. Past `WEBPUSH_MAX_DEVICES` "
                        "browsers, a new one drops the user's least recently used."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("WebPushSubscription")}},
                    },
                    "responses": {
                        "200": _json(_ref("WebPushDevice"), "The endpoint was registered already: updated."),
                        "201": _json(_ref("WebPushDevice"), "Registered."),
                        "400": BAD_REQUEST,
                        "401": UNAUTHORIZED,
                        "403": FORBIDDEN,
                        "409": _error(
                            "Not registered: the endpoint is another user's, or Web Push is not configured "
                            "on this server (no VAPID key)."
                        ),
                    },
                },
                "delete": {
                    "operationId": "webpush_devices_remove",
                    "tags": ["push"],
                    "summary": "Remove a browser's push subscription",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("WebPushEndpoint")}},
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["removed"],
                                "properties": {"removed": {"type": "integer", "minimum": 0, "maximum": 1}},
                            },
                            "Removed (1), or not one of the user's browsers (0).",
                        ),
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
