"""The API's views (v1): the user's notifications, their counts, bulk actions by ids, and preferences.

Every view answers for the authenticated user only (:func:`~.auth.api_view`): another user's
notification id is a 404 for one notification and is ignored, and reported as unknown, in a
bulk action; every query and every UPDATE is filtered by the requesting user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from django_signal_notifier.api import cursor, params, webpush
from django_signal_notifier.api.auth import api_view
from django_signal_notifier.api.responses import BadRequest, error_response, json_response
from django_signal_notifier.api.schema import MAX_ID, MAX_PAGE, openapi_document
from django_signal_notifier.conf import app_settings
from django_signal_notifier.inbox.grouping import entries_page, group_members, group_queryset
from django_signal_notifier.inbox.queries import (
    LIST_FIELDS,
    as_json,
    attach_mute_state,
    attach_references,
    unread_count,
    with_mute_state,
)
from django_signal_notifier.models import Notification
from django_signal_notifier.preferences.pages.forms import DeliveryTimesForm, profile_of
from django_signal_notifier.preferences.pages.table import (
    build_columns,
    build_rows,
    change_choices,
    field_name,
    user_subscriptions,
)
from django_signal_notifier.preferences.rules import user_rules

View = Callable[..., HttpResponse]
# Bulk actions: the URL's name → the queryset method that performs it (one UPDATE each).
ACTIONS = {
    "read": "mark_as_read",
    "unread": "mark_as_unread",
    "archive": "archive",
    "unarchive": "unarchive",
    "seen": "mark_as_seen",
    "unsnooze": "unsnooze",
}


def endpoint(*methods: str) -> Callable[[View], View]:
    """An authenticated API view answering ``methods``; :class:`BadRequest` becomes a 400 naming the fields."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except BadRequest as problem:
                return error_response(_("Invalid request."), status=400, fields=problem.fields)

        return require_http_methods(list(methods))(api_view(wrapped))

    return decorate


@require_http_methods(["GET", "HEAD"])
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 document of this API, with its server URL where the project mounted it."""
    base = request.build_absolute_uri(reverse("django_signal_notifier_api:openapi")).removesuffix("/openapi.json")
    return JsonResponse(openapi_document(server_url=base), json_dumps_params={"indent": 2})


@endpoint("GET")
def notification_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's notifications, newest first, filtered, one page per cursor."""
    limit = params.integer(
        request,
        "limit",
        default=int(app_settings.INBOX_PAGE_SIZE),
        minimum=1,
        maximum=int(app_settings.INBOX_MAX_PAGE_SIZE),
    )
    queryset = with_mute_state(Notification.objects.for_user(request.user).only(*LIST_FIELDS))
    archived = params.boolean(request, "archived", default=False)
    queryset = queryset.filter(archived=archived).exclude(expires_at__lte=timezone.now())
    snoozed = params.boolean(request, "snoozed", default=False)
    queryset = queryset.snoozed() if snoozed else queryset.showing()
    seen = params.boolean(request, "seen")
    if seen is not None:
        queryset = queryset.filter(seen_at__isnull=not seen)
    unread = params.boolean(request, "unread")
    if unread is not None:
        queryset = queryset.filter(unread=unread)
    verbs = params.texts(request, "verb", max_length=128)
    if verbs:
        queryset = queryset.filter(verb__in=verbs)
    since = params.moment(request, "since")
    if since is not None:
        queryset = queryset.filter(created_at__gt=since)
    rows, next_cursor = cursor.page(queryset, request.GET.get("cursor"), limit)
    attach_references(rows)
    next_url = None
    if next_cursor is not None:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = f"{request.path}?{query.urlencode()}"
    return json_response(
        {
            "results": [as_json(row) for row in rows],
            "next_cursor": next_cursor,
            "next": next_url,
            "unread_count": unread_count(request.user),
        }
    )


def _own(request: HttpRequest, pk: str) -> Notification | None:
    if not pk.isascii() or not pk.isdigit() or not 1 <= int(pk) <= MAX_ID:
        return None
    found: Notification | None = (
        with_mute_state(Notification.objects.for_user(request.user).only(*LIST_FIELDS)).filter(pk=int(pk)).first()
    )
    return found


@endpoint("GET")
def notification_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """GET: one of the user's notifications (404 for anyone else's)."""
    notification = _own(request, pk)
    if notification is None:
        return error_response(_("No such notification."), status=404)
    attach_references([notification])
    return json_response(as_json(notification))


@endpoint("GET")
def counts(request: HttpRequest) -> HttpResponse:
    """GET: the user's folder sizes, in one query."""
    return json_response(Notification.objects.counts(request.user))


def _bulk(action: str) -> View:
    method = ACTIONS[action]

    def view(request: HttpRequest) -> HttpResponse:
        wanted = params.ids(params.json_body(request))
        own = set(Notification.objects.for_user(request.user).filter(pk__in=wanted).values_list("pk", flat=True))
        changed = getattr(Notification.objects.filter(pk__in=own), method)(user=request.user) if own else 0
        return json_response(
            {
                "changed": changed,
                "ids": [pk for pk in wanted if pk in own],
                "unknown_ids": [pk for pk in wanted if pk not in own],
                "unread_count": unread_count(request.user),
            }
        )

    view.__name__ = f"bulk_{action}"
    view.__doc__ = f'POST ``{{"ids": [...]}}``: {method.replace("_", " ")} those of the user\'s notifications.'
    return endpoint("POST")(view)


bulk_read = _bulk("read")
bulk_unread = _bulk("unread")
bulk_archive = _bulk("archive")
bulk_unarchive = _bulk("unarchive")
bulk_seen = _bulk("seen")
bulk_unsnooze = _bulk("unsnooze")


@endpoint("POST")
def read_all(request: HttpRequest) -> HttpResponse:
    """POST: mark every notification of the user read, in one UPDATE."""
    changed = Notification.objects.mark_all_as_read(request.user)
    return json_response({"changed": changed, "unread_count": unread_count(request.user)})


GROUP_FOLDERS = ("active", "unread", "archived", "all")
# Group writes: the URL's name → the queryset method applied to every member (one UPDATE).
GROUP_ACTIONS = {"read": "mark_as_read", "archive": "archive"}


def entry_as_json(row: Notification) -> dict[str, Any]:
    """One inbox entry: its newest notification, the entry's line and the group's facts."""
    return {**as_json(row), "summary": row.summary, "group": row.entry.as_dict()}  # type: ignore[attr-defined]


@endpoint("GET")
def group_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's inbox entries (a group of notifications is one), newest first, by page."""
    show = request.GET.get("show", "active")
    if show not in GROUP_FOLDERS:
        raise BadRequest({"show": f"One of {', '.join(GROUP_FOLDERS)}."})
    limit = params.integer(
        request,
        "limit",
        default=int(app_settings.INBOX_PAGE_SIZE),
        minimum=1,
        maximum=int(app_settings.INBOX_MAX_PAGE_SIZE),
    )
    number = params.integer(request, "page", default=1, minimum=1, maximum=MAX_PAGE)
    page = entries_page(request.user, show, number, limit)
    attach_mute_state(list(page.object_list), request.user)  # each entry's thread.muted
    return json_response(
        {
            "results": [entry_as_json(row) for row in page.object_list],
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "count": page.paginator.count,
            "unread_count": unread_count(request.user),
        }
    )


def _group_pk(pk: str) -> int | None:
    return int(pk) if pk.isascii() and pk.isdigit() and 1 <= int(pk) <= MAX_ID else None


@endpoint("GET")
def group_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """GET: the notifications of the entry that notification ``pk`` belongs to, newest first."""
    number = _group_pk(pk)
    members = (
        []
        if number is None
        else list(group_members(request.user, number, "all")[: int(app_settings.INBOX_MAX_PAGE_SIZE)])
    )
    if not members:
        return error_response(_("No such notification."), status=404)
    attach_references(members)
    return json_response({"id": number, "results": [as_json(row) for row in members]})


def _group_write(action: str) -> View:
    method = GROUP_ACTIONS[action]

    def view(request: HttpRequest, pk: str) -> HttpResponse:
        number = _group_pk(pk)
        if number is None or not Notification.objects.for_user(request.user).filter(pk=number).exists():
            return error_response(_("No such notification."), status=404)
        changed = getattr(group_queryset(request.user, number), method)(user=request.user)
        return json_response({"changed": changed, "unread_count": unread_count(request.user)})

    view.__name__ = f"group_{action}"
    view.__doc__ = f"POST: {method.replace('_', ' ')} every notification of the entry of ``pk``."
    return endpoint("POST")(view)


group_read = _group_write("read")
group_archive = _group_write("archive")


def _preferences_document(subscriptions: list[Any], rows: list[Any]) -> dict[str, Any]:
    return {
        "channels": [{"channel": c.channel, "label": str(c.label)} for c in build_columns(subscriptions)],
        "subscriptions": [
            {
                "id": row.subscription.pk if row.subscription is not None else None,
                "label": str(row.label),
                "mandatory": row.mandatory,
                "channels": [{"channel": c.channel, "enabled": c.enabled, "locked": c.locked} for c in row.cells],
            }
            for row in rows
        ],
    }


def _delivery_times_document(user: Any) -> dict[str, Any]:
    profile = profile_of(user)
    return {
        "digest_frequency": profile.digest_frequency,
        "time_zone": profile.time_zone,
        "quiet_hours_start": profile.quiet_hours_start.strftime("%H:%M") if profile.quiet_hours_start else None,
        "quiet_hours_end": profile.quiet_hours_end.strftime("%H:%M") if profile.quiet_hours_end else None,
    }


def _delivery_times_form(user: Any, given: Any) -> DeliveryTimesForm:
    """The body's ``delivery_times`` over the user's current ones, validated; a 400 names each field at fault."""
    if not isinstance(given, dict):
        raise BadRequest(
            {"delivery_times": "An object with digest_frequency, time_zone, quiet_hours_start, quiet_hours_end."}
        )
    unknown = sorted(set(given) - set(DeliveryTimesForm.Meta.fields))
    if unknown:
        raise BadRequest({f"delivery_times.{name}": "Not a delivery time field." for name in unknown})
    not_nullable = sorted(name for name in ("digest_frequency", "time_zone") if name in given and given[name] is None)
    if not_nullable:
        raise BadRequest({f"delivery_times.{name}": "A string (empty: the default), not null." for name in not_nullable})
    data = {
        name: value if value is not None else "" for name, value in {**_delivery_times_document(user), **given}.items()
    }
    if any(not isinstance(value, str) for value in data.values()):
        raise BadRequest({"delivery_times": "Each value is a string (null clears a quiet hours time)."})
    form = DeliveryTimesForm(data, instance=profile_of(user))
    if not form.is_valid():
        raise BadRequest(
            {
                f"delivery_times.{name}" if name != "__all__" else "delivery_times": " ".join(
                    str(error) for error in errors
                )
                for name, errors in form.errors.items()
            }
        )
    return form


def _changes(body: dict[str, Any], rows: list[Any]) -> dict[tuple[Any, str], bool]:
    """The body's ``preferences`` as {(subscription id, channel): enabled}, each an unlocked cell of the user's."""
    items = body.get("preferences")
    if "preferences" not in body and "delivery_times" in body:
        return {}
    if not isinstance(items, list) or not items:
        raise BadRequest({"preferences": "A non-empty list of {subscription, channel, enabled}."})
    cells = {cell.field_name: cell for row in rows for cell in row.cells}
    changes: dict[tuple[Any, str], bool] = {}
    for index, item in enumerate(items):
        where = f"preferences[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("enabled"), bool):
            raise BadRequest({where: "An object with subscription (id or null), channel and enabled (boolean)."})
        subscription, channel = item.get("subscription"), item.get("channel")
        if subscription is not None and type(subscription) is not int:
            raise BadRequest({f"{where}.subscription": "A subscription id, or null for every subscription."})
        cell = cells.get(field_name(subscription, channel)) if isinstance(channel, str) else None
        if cell is None:
            raise BadRequest({where: "Not one of your subscriptions and channels (see GET preferences)."})
        if cell.locked:
            raise BadRequest({where: "This subscription is mandatory: it cannot be turned off."})
        changes[(subscription, cell.channel)] = item["enabled"]
    return changes


@endpoint("GET", "PATCH")
def preferences(request: HttpRequest) -> HttpResponse:
    """GET: the user's subscriptions × channels. PATCH: change some choices; the others stay as they are."""
    subscriptions = user_subscriptions(request.user)
    rows = build_rows(subscriptions, user_rules(request.user))
    if request.method == "PATCH":
        body = params.json_body(request)
        changes = _changes(body, rows)
        times = _delivery_times_form(request.user, body["delivery_times"]) if "delivery_times" in body else None
        if changes:
            change_choices(request.user.pk, user_rules(request.user), changes)
        if times is not None:
            times.save()
        rows = build_rows(subscriptions, user_rules(request.user))
    return json_response(
        {**_preferences_document(subscriptions, rows), "delivery_times": _delivery_times_document(request.user)}
    )


webpush_devices = endpoint("GET", "POST", "DELETE")(webpush.webpush_devices)
