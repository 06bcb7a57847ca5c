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
from django_signal_notifier.preferences.rules import MANDATORY, SUPERSEDED, opt_out_by_link, user_rules

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

    The token acts only on the user it names, on the subscription (or the verb of messages sent
    from code) it names; an expired token, or one issued before the user's latest change to that
    preference, changes nothing and says so. The responses say nothing about that user or the
    subscription.
    """
    found = read_token(token)
    if found is None:
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "invalid"}, status=400)
    signed_in = getattr(request, "user", None)
    if signed_in is not None and signed_in.is_authenticated and str(signed_in.pk) != found.user_id:
        # Someone else's link (a forwarded email): never act on it from another account.
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "other_account"}, status=403)
    preferences_url = reverse("django_signal_notifier_preferences:preferences")
    if found.expired:
        return render(
            request, UNSUBSCRIBE_TEMPLATE, {"state": "expired", "preferences_url": preferences_url}, status=410
        )
    if request.method == "GET":
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "confirm", "one_click": ONE_CLICK})
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "confirm", "one_click": ONE_CLICK}, status=400)
    outcome = opt_out_by_link(found.user_id, found.subscription_id, found.verb, found.channel, found.issued_at)
    if outcome == SUPERSEDED:
        # The user chose since this message was sent (e.g. opted back in): the old link cannot undo it.
        context = {"state": "superseded", "preferences_url": preferences_url}
        return render(request, UNSUBSCRIBE_TEMPLATE, context, status=409)
    if outcome == MANDATORY:
        return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "mandatory"}, status=409)
    return render(request, UNSUBSCRIBE_TEMPLATE, {"state": "done"})
