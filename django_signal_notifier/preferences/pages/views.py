"""Views: the preferences page (login required) and the one-click unsubscribe endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from django_signal_notifier.delivery.unsubscribe import ONE_CLICK, read_token
from django_signal_notifier.preferences.pages.forms import DeliveryTimesForm, profile_of
from django_signal_notifier.preferences.pages.table import build_columns, build_rows, save_choices, user_subscriptions
from django_signal_notifier.preferences.rules import (
    unsubscribe as opt_out,
)
from django_signal_notifier.preferences.rules import user_rules

PREFERENCES_TEMPLATE = "django_signal_notifier/preferences.html"
UNSUBSCRIBE_TEMPLATE = "django_signal_notifier/unsubscribe.html"


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in user's subscriptions × channels, and when they want them; POST saves both.

    The checkboxes are one column per channel; below them, the digest frequency, time zone and
    quiet hours (their Profile). A form with an error saves nothing and says what to fix.
    """
    user = request.user
    subscriptions = user_subscriptions(user)
    rules = user_rules(user)
    rows = build_rows(subscriptions, rules)
    times = DeliveryTimesForm(request.POST or None, instance=profile_of(user), prefix="times")
    if request.method == "POST" and times.is_valid():
        save_choices(user.pk, rows, rules, lambda cell: cell.field_name in request.POST)
        times.save()
        messages.success(request, _("Your notification preferences were saved."))
        return HttpResponseRedirect(reverse("django_signal_notifier_preferences:preferences"))
    context = {"rows": rows, "has_rows": bool(rows), "columns": build_columns(subscriptions), "times": times}
    return render(request, PREFERENCES_TEMPLATE, context, status=400 if times.errors else 200)


@csrf_exempt  # mail providers POST without a CSRF token (RFC 8058); the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page with a POST form. POST ``List-Unsubscribe=One-Click``: unsubscribe.

    The token acts only on the user it names; the responses say nothing about that user or the
    subscription.
    """
    found = read_token(token)
    if found is None:
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "invalid"}, status=400)
    user_id, subscription_id, channel = found
    signed_in = getattr(request, "user", None)
    if signed_in is not None and signed_in.is_authenticated and str(signed_in.pk) != user_id:
        # Someone else's link (a forwarded email): never act on it from another account.
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "other_account"}, status=403)
    if request.method == "GET":
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "confirm", "one_click": ONE_CLICK})
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "confirm", "one_click": ONE_CLICK}, status=400)
    if not opt_out(user_id, subscription_id, channel):
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "mandatory"}, status=409)
    return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "done"})
