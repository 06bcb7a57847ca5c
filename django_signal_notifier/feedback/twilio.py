"""SMS feedback: Twilio's status callbacks, their signature checked, recorded on deliveries by MessageSid."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from django_signal_notifier.conf import app_settings
from django_signal_notifier.feedback.record import ProviderEvent, record_provider_event

# Twilio error codes after which a number must not be texted again: the recipient replied STOP
# (21610), the number is not a mobile number (21614), unknown (30005), a landline or unreachable (30006).
SUPPRESSING_CODES = frozenset({"21610", "21614", "30005", "30006"})


def twilio_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL followed by each sorted name and value."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_is_valid(request: HttpRequest, auth_token: str) -> bool:
    """Whether the request carries Twilio's signature of the URL it was sent to and its form."""
    url = str(app_settings.TWILIO_STATUS_CALLBACK_URL or request.build_absolute_uri())
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    expected = twilio_signature(url, params, auth_token)
    return hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", ""))


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback: records the message's status on its delivery (204), 403 if unsigned."""
    token = app_settings.TWILIO_AUTH_TOKEN
    if not token or not signature_is_valid(request, str(token)):
        return HttpResponseForbidden("invalid Twilio signature")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    code = request.POST.get("ErrorCode", "")
    if sid and status:
        record_provider_event(
            ProviderEvent(
                provider="Twilio",
                status=status,
                message_id=sid,
                recipient=request.POST.get("To", ""),
                description=f"error {code}" if code else "",
                suppress=code in SUPPRESSING_CODES,
            ),
            channel="sms",
        )
    return HttpResponse(status=204)
