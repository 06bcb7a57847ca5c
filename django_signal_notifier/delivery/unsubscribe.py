"""Signed one-click unsubscribe links (RFC 8058) and the headers that carry them.

A token is ``django.core.signing`` over (user id, subscription id, channel) with a salt of its
own: changing any character invalidates it, and it only ever acts on the user it names. The
link needs an absolute base, the ``SITE_URL`` setting, and the preferences URLs included in the
URLconf; without either there is no link (``check --deploy`` says which is missing: W043, W045).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core import signing
from django.urls import NoReverseMatch, reverse

from django_signal_notifier.rendering.links import site_url

logger = logging.getLogger("django_signal_notifier.unsubscribe")

SALT = "django_signal_notifier.unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"


def make_token(user_id: Any, subscription_id: Any, channel: str) -> str:
    """A signed token naming one user, one subscription (or None: all) and one channel."""
    payload = {"u": str(user_id), "s": subscription_id, "c": channel}
    return signing.dumps(payload, salt=SALT, compress=False)


def read_token(token: str) -> tuple[str, Any, str] | None:
    """(user id, subscription id, channel) of a genuine token, None for anything else."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, subscription_id, channel = payload.get("u"), payload.get("s"), payload.get("c")
    if not isinstance(user_id, str) or not isinstance(channel, str):
        return None
    if subscription_id is not None and not isinstance(subscription_id, int):
        return None
    return user_id, subscription_id, channel


def unsubscribe_url(user_id: Any, subscription_id: Any, channel: str) -> str | None:
    """The absolute one-click URL, or None without ``SITE_URL`` or the package's URLs."""
    base = site_url()
    if not base:
        return None
    try:
        path = reverse(
            "django_signal_notifier_preferences:unsubscribe", args=[make_token(user_id, subscription_id, channel)]
        )
    except NoReverseMatch:
        return None
    return base + path


def delivery_unsubscribe_url(delivery: Any, user: Any) -> str | None:
    """The one-click URL for a delivery to a user; None when mandatory or when no link can be made."""
    if user is None or delivery.recipient_id is None:
        return None
    subscription = delivery.subscription if delivery.subscription_id else None
    if subscription is not None and subscription.mandatory:
        return None
    return unsubscribe_url(delivery.recipient_id, delivery.subscription_id, delivery.channel)


def headers_for(url: str | None) -> dict[str, str]:
    """``List-Unsubscribe`` and ``List-Unsubscribe-Post`` carrying ``url`` (none without one)."""
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK}
