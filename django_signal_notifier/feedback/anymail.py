"""Email feedback: django-anymail's ``tracking`` signal (every provider anymail supports) recorded on deliveries.

Connected when the app is ready, if django-anymail is installed. Bounces and complaints suppress
the address, as do rejections the provider explains by a bounce, an invalid address or spam.
"""

from __future__ import annotations

from typing import Any

from django_signal_notifier.feedback.record import STATUS_RANK, ProviderEvent, record_provider_event

# Keep in step with messengers/email.py's DELIVERY_METADATA_KEY (a lower stage may not import it).
DELIVERY_METADATA_KEY = "signal_notifier_delivery"
SUPPRESSING = frozenset({"bounced", "complained"})
SUPPRESSING_REJECTIONS = frozenset({"bounced", "invalid", "spam"})


def provider_event(event: Any, esp_name: str) -> ProviderEvent:
    """An ``AnymailTrackingEvent`` in the package's words."""
    status = str(event.event_type or "")
    reject_reason = str(getattr(event, "reject_reason", None) or "")
    metadata = getattr(event, "metadata", None) or {}
    raw_id = str(metadata.get(DELIVERY_METADATA_KEY) or "") if isinstance(metadata, dict) else ""
    description = " ".join(
        str(part) for part in (getattr(event, "description", None), getattr(event, "mta_response", None)) if part
    )
    return ProviderEvent(
        provider=esp_name or "email provider",
        status=status,
        message_id=str(event.message_id or ""),
        delivery_id=int(raw_id) if raw_id.isdigit() else None,
        recipient=str(event.recipient or ""),
        description=description[:200],
        suppress=status in SUPPRESSING or (status == "rejected" and reject_reason in SUPPRESSING_REJECTIONS),
        timestamp=getattr(event, "timestamp", None),
    )


def on_tracking(sender: Any, event: Any, esp_name: str = "", **kwargs: Any) -> None:
    """Receiver of ``anymail.signals.tracking``."""
    if getattr(event, "event_type", None) in STATUS_RANK:
        record_provider_event(provider_event(event, esp_name), channel="email")


def connect_tracking() -> bool:
    """Listen to django-anymail's tracking signal; False when django-anymail is not installed."""
    try:
        from anymail.signals import tracking
    except ImportError:
        return False
    tracking.connect(on_tracking, dispatch_uid="django_signal_notifier.feedback.anymail")
    return True
