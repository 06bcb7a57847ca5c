"""The receiver snippet of docs/channels/webhook.md (kept here so a test runs it)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from django_signal_notifier.messengers import verify_webhook_signature


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    if not verify_webhook_signature(
        settings.WEBHOOK_RECEIVER_SECRET,
        request.body,  # the raw bytes, before any JSON parsing
        request.headers.get("X-Signal-Notifier-Timestamp", ""),
        request.headers.get("X-Signal-Notifier-Signature", ""),
    ):
        return HttpResponseForbidden("bad signature")
    # ... handle json.loads(request.body); X-Signal-Notifier-Delivery identifies duplicates
    return HttpResponse(status=204)
