"""Who is calling the API: a Bearer token (:class:`~django_signal_notifier.models.ApiToken`) or the session.

A request with an ``Authorization: Bearer`` header is judged by that header alone: a wrong or
revoked token gets 401 even when a session cookie is also sent. Other schemes (``Basic``, as a
password-protected staging site's proxy adds) are left alone: the session decides. Token requests need no CSRF token (a
browser never adds the header by itself); session requests that write must carry one, as the
rest of the site's forms do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from django_signal_notifier.api.responses import error_response
from django_signal_notifier.models import ApiToken

View = Callable[..., HttpResponse]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, called for session requests only, that answers with the reason."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return error_response(_("CSRF check failed: %(reason)s") % {"reason": reason}, status=403)


def _csrf_failure(request: HttpRequest) -> HttpResponse | None:
    check = _CsrfCheck(lambda request: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda request: HttpResponse(), (), {})


def _unauthorized(message: str) -> HttpResponse:
    response = error_response(message, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_view(view: View) -> View:
    """Authenticate the request (token, else session) before ``view``; 401 without a valid one.

    ``request.user`` is the token's user for token requests. Session requests with an unsafe
    method pass Django's CSRF check first (403 otherwise).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            token = ApiToken.objects.authenticate(raw.strip()) if raw.strip() else None
            if token is None:
                return _unauthorized(_("Invalid, expired or revoked token."))
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
        else:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return _unauthorized(_("Authentication required."))
            if request.method not in SAFE_METHODS:
                failure = _csrf_failure(request)
                if failure is not None:
                    return failure
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
