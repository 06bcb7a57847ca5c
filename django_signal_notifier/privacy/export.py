"""Everything the package holds about one user, as JSON-safe data (a data-portability request)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from django_signal_notifier.models import Delivery, Mute, Notification, Preference, Suppression, WebPushDevice


def export_user_data(user: Any) -> dict[str, Any]:
    """The user's notifications, the messages sent to them, their preferences, suppressed addresses, mutes and browsers."""
    notifications = [
        {
            "id": row.pk,
            "verb": row.verb,
            "title": row.title,
            "body": row.body,
            "url": row.url,
            "actor": row.actor_text,
            "object": row.action_object_text,
            "target": row.target_text,
            "unread": row.unread,
            "archived": row.archived,
            "created_at": row.created_at.isoformat(),
            "seen_at": row.seen_at.isoformat() if row.seen_at else None,
            "read_at": row.read_at.isoformat() if row.read_at else None,
            "snoozed_until": row.snoozed_until.isoformat() if row.snoozed_until else None,
            "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        }
        for row in Notification.objects.filter(recipient=user).order_by("pk")
    ]
    deliveries = [
        {
            "id": row.pk,
            "channel": row.channel,
            "address": row.address,
            "status": row.status,
            "reason": row.reason,
            "subject": (row.content or {}).get("subject", ""),
            "text": (row.content or {}).get("text", ""),
            "created_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "provider_status": row.provider_status,
        }
        for row in Delivery.objects.filter(recipient=user).order_by("pk")
    ]
    preferences = [
        {
            "subscription": str(row.subscription) if row.subscription_id else None,
            "verb": row.verb,
            "channel": row.channel,
            "enabled": row.enabled,
            "updated_at": row.updated_at.isoformat(),
        }
        for row in Preference.objects.filter(user=user).select_related("subscription").order_by("pk")
    ]
    suppressions = [
        {
            "channel": row.channel,
            "address": row.address,
            "reason": row.reason,
            "created_at": row.created_at.isoformat(),
            "lifted_at": row.lifted_at.isoformat() if row.lifted_at else None,
        }
        for row in Suppression.objects.filter(delivery__recipient=user).order_by("pk")
    ]
    webpush_devices = [
        {
            "push_service": row.endpoint.split("/")[2] if row.endpoint.count("/") >= 2 else "",
            "user_agent": row.user_agent,
            "created_at": row.created_at.isoformat(),
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        }
        for row in WebPushDevice.objects.for_user(user).order_by("pk")
    ]
    mutes = [
        {
            "content_type": row.content_type_id,
            "object_id": row.object_id,
            "text": row.text,
            "created_at": row.created_at.isoformat(),
        }
        for row in Mute.objects.filter(user=user).order_by("pk")
    ]
    return {
        "user": {"id": user.pk, "username": user.get_username()},
        "exported_at": timezone.now().isoformat(),
        "notifications": notifications,
        "deliveries": deliveries,
        "preferences": preferences,
        "suppressions": suppressions,
        "webpush_devices": webpush_devices,
        "mutes": mutes,
    }
