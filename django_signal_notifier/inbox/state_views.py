"""Inbox endpoints for seen, snooze and mute: POST behind CSRF, for the signed-in user's own notifications only.

Like :mod:`~django_signal_notifier.inbox.views`, a write posted by an HTML form with ``next`` is
answered with a 303 redirect to it; without ``next`` the answer is JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from django_signal_notifier.inbox.queries import thread_of
from django_signal_notifier.inbox.snooze import BadSnooze, snooze_until
from django_signal_notifier.inbox.views import View, _after_write, _json_login_required
from django_signal_notifier.models import Mute, Notification

NO_SUCH = _("No such notification.")


@require_POST
@csrf_protect
@_json_login_required
def mark_all_seen(request: HttpRequest) -> HttpResponse:
    """POST: mark everything the user's inbox shows seen (the dropdown or the list was opened)."""
    changed = Notification.objects.mark_all_as_seen(request.user)
    return _after_write(request, {"changed": changed})


@require_POST
@csrf_protect
@_json_login_required
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``seconds``: hide one of the user's notifications for that long; it comes back unread."""
    try:
        until = snooze_until(seconds=request.POST.get("seconds", ""))
    except BadSnooze as problem:
        return JsonResponse({"error": str(problem)}, status=400)
    changed = Notification.objects.filter(pk=pk).snooze(until, user=request.user)
    if not changed and not Notification.objects.for_user(request.user).filter(pk=pk).exists():
        return JsonResponse({"error": NO_SUCH}, status=404)
    return _after_write(request, {"id": pk, "changed": bool(changed), "snoozed_until": until.isoformat()})


@require_POST
@csrf_protect
@_json_login_required
def unsnooze(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: bring one of the user's snoozed notifications back now."""
    changed = Notification.objects.filter(pk=pk).unsnooze(user=request.user)
    if not changed and not Notification.objects.for_user(request.user).filter(pk=pk).exists():
        return JsonResponse({"error": NO_SUCH}, status=404)
    return _after_write(request, {"id": pk, "changed": bool(changed)})


def _thread_view(muting: bool) -> View:
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        notification = Notification.objects.for_user(request.user).filter(pk=pk).first()
        if notification is None:
            return JsonResponse({"error": NO_SUCH}, status=404)
        thread = thread_of(notification)
        if thread is None:
            return JsonResponse({"error": _("This notification is about nothing that can be muted.")}, status=400)
        ct_id, object_id, text = thread
        if muting:
            Mute.objects.mute(request.user, ct_id, object_id, text)
        else:
            Mute.objects.follow(request.user, ct_id, object_id)
        return _after_write(request, {"id": pk, "muted": muting, "content_type": ct_id, "object_id": object_id})

    view.__name__ = "mute" if muting else "follow"
    view.__doc__ = (
        "POST: stop notifying the user about this notification's thread (its target, else its object), on every channel."
        if muting
        else "POST: notify the user about this notification's thread again (undo a mute)."
    )
    return require_POST(csrf_protect(_json_login_required(view)))


mute = _thread_view(muting=True)
follow = _thread_view(muting=False)
