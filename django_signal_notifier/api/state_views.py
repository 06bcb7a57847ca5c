"""The API's views (v1) for seen, snooze and mute: bulk actions by ids, and the user's mutes.

Like :mod:`~django_signal_notifier.api.views`, every query and every UPDATE is filtered by the
requesting user: another user's notification id is ignored and reported in ``unknown_ids``,
another user's mute is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from django_signal_notifier.api import params
from django_signal_notifier.api.responses import BadRequest, error_response, json_response
from django_signal_notifier.api.schema import MAX_ID
from django_signal_notifier.api.views import endpoint
from django_signal_notifier.inbox.queries import thread_of, unread_count
from django_signal_notifier.inbox.snooze import BadSnooze, snooze_until
from django_signal_notifier.models import Mute, Notification


def _own_ids(request: HttpRequest, wanted: list[int]) -> set[int]:
    return set(Notification.objects.for_user(request.user).filter(pk__in=wanted).values_list("pk", flat=True))


def _bulk_result(request: HttpRequest, wanted: list[int], own: set[int], changed: int) -> dict[str, Any]:
    return {
        "changed": changed,
        "ids": [pk for pk in wanted if pk in own],
        "unknown_ids": [pk for pk in wanted if pk not in own],
        "unread_count": unread_count(request.user),
    }


@endpoint("POST")
def snooze(request: HttpRequest) -> HttpResponse:
    """POST ``{"ids": [...], "seconds": n}`` or ``{"ids": [...], "until": "<date-time>"}``: hide them until then."""
    body = params.json_body(request)
    wanted = params.ids(body)
    if ("seconds" in body) == ("until" in body):
        raise BadRequest({"body": "Send either seconds or until."})
    seconds, until_text = body.get("seconds"), body.get("until")
    if "seconds" in body and (isinstance(seconds, bool) or not isinstance(seconds, int)):
        raise BadRequest({"seconds": "A whole number of seconds."})
    if "until" in body and not isinstance(until_text, str):
        raise BadRequest({"until": "An RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z."})
    try:
        until = snooze_until(
            seconds=seconds, until=params.parse_moment(until_text, "until") if until_text is not None else None
        )
    except BadSnooze as problem:
        raise BadRequest({"seconds" if until_text is None else "until": str(problem)})
    own = _own_ids(request, wanted)
    changed = Notification.objects.filter(pk__in=own).snooze(until, user=request.user) if own else 0
    return json_response({**_bulk_result(request, wanted, own, changed), "snoozed_until": until.isoformat()})


@endpoint("POST")
def seen_all(request: HttpRequest) -> HttpResponse:
    """POST: mark everything the user's inbox shows seen (the dropdown or the list was opened)."""
    changed = Notification.objects.mark_all_as_seen(request.user)
    return json_response({"changed": changed, "unread_count": unread_count(request.user)})


def _mute_json(mute: Mute) -> dict[str, Any]:
    return {
        "id": mute.pk,
        "content_type": mute.content_type_id,
        "object_id": mute.object_id,
        "text": mute.text,
        "created_at": mute.created_at.isoformat(),
    }


def _thread_action(muting: bool) -> Any:
    def view(request: HttpRequest, pk: str) -> HttpResponse:
        notification = None
        if pk.isascii() and pk.isdigit() and 1 <= int(pk) <= MAX_ID:
            notification = Notification.objects.for_user(request.user).filter(pk=int(pk)).first()
        if notification is None:
            return error_response(_("No such notification."), status=404)
        thread = thread_of(notification)
        if thread is None:
            return json_response({"id": notification.pk, "muted": False, "mute": None})
        ct_id, object_id, text = thread
        if muting:
            mute = Mute.objects.mute(request.user, ct_id, object_id, text)
            return json_response({"id": notification.pk, "muted": True, "mute": _mute_json(mute)})
        Mute.objects.follow(request.user, ct_id, object_id)
        return json_response({"id": notification.pk, "muted": False, "mute": None})

    view.__name__ = "notification_mute" if muting else "notification_follow"
    view.__doc__ = (
        "POST: mute this notification's thread (its target, else its object) for the user, on every channel."
        if muting
        else "POST: follow this notification's thread again (undo its mute)."
    )
    return endpoint("POST")(view)


notification_mute = _thread_action(muting=True)
notification_follow = _thread_action(muting=False)


@endpoint("GET", "POST")
def mutes(request: HttpRequest) -> HttpResponse:
    """GET: the user's mutes, newest first. POST ``{"content_type": id, "object_id": "…"}``: mute that object."""
    if request.method == "POST":
        body = params.json_body(request)
        ct_id, object_id = body.get("content_type"), body.get("object_id")
        if isinstance(ct_id, bool) or not isinstance(ct_id, int) or not 1 <= ct_id <= MAX_ID:
            raise BadRequest({"content_type": "A Django content type id (see a notification's thread)."})
        if not isinstance(object_id, str) or not 1 <= len(object_id) <= 255 or "\x00" in object_id:
            raise BadRequest({"object_id": "The object's primary key as text: 1 to 255 characters, without NUL."})
        content_type = ContentType.objects.filter(pk=ct_id).first()
        if content_type is None:
            raise BadRequest({"content_type": "No such content type."})
        mute = Mute.objects.mute(request.user, content_type.pk, object_id, _object_text(content_type, object_id))
        return json_response(_mute_json(mute))
    rows = Mute.objects.for_user(request.user)[: int(MAX_MUTES)]
    return json_response({"results": [_mute_json(mute) for mute in rows]})


MAX_MUTES = 1000


def _object_text(content_type: ContentType, object_id: str) -> str:
    """The muted object's name, for the list of mutes ("" when it cannot be found)."""
    model = content_type.model_class()
    if model is None:
        return ""
    try:
        found = model._default_manager.filter(pk=model._meta.pk.to_python(object_id)).first()
    except Exception:  # a key of the wrong type for this model: nothing to name
        return ""
    return str(found)[:255] if found is not None else ""


@endpoint("DELETE")
def mute_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """DELETE: remove one of the user's mutes (follow the object again); 404 for anyone else's."""
    if not pk.isascii() or not pk.isdigit() or not 1 <= int(pk) <= MAX_ID:
        return error_response(_("No such mute."), status=404)
    deleted, _rows = Mute.objects.for_user(request.user).filter(pk=int(pk)).delete()
    if not deleted:
        return error_response(_("No such mute."), status=404)
    return json_response({"id": int(pk), "deleted": True})
