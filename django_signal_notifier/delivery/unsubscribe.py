"""Signed one-click unsubscribe links (RFC 8058) and the headers that carry them.

A token is ``django.core.signing`` over (user id, scope, channel, issue time) with a salt of its
own: changing any character invalidates it, and it only ever acts on the user it names. Its
scope is what the message was about: its subscription, or the verb of a message sent from code
(``notify()``), never a whole channel. Mandatory messages, admin test sends and messages whose
subscription is gone carry no link. A token expires ``UNSUBSCRIBE_TOKEN_MAX_AGE`` seconds after
it was issued, and one issued before the user's latest change to the same preference is refused
by the endpoint (an old email cannot undo a newer choice).

The link needs an absolute base, the ``SITE_URL`` setting, and the preferences URLs included in the
URLconf; without either there is no link (``check --deploy`` says which is missing: W043, W045).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core import signing
from django.urls import NoReverseMatch, reverse

from django_signal_notifier.conf import app_settings
from django_signal_notifier.events.snapshot import SENT_FROM_CODE
from django_signal_notifier.rendering.links import site_url

logger = logging.getLogger("django_signal_notifier.unsubscribe")

SALT = "django_signal_notifier.unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class UnsubscribeToken:
    """What a genuine token names: one user, one subscription or one verb, one channel, and when it was issued."""

    user_id: str
    subscription_id: int | None
    verb: str
    channel: str
    issued_at: datetime

    @property
    def expired(self) -> bool:
        """Whether the token is older than ``UNSUBSCRIBE_TOKEN_MAX_AGE``."""
        age = time.time() - self.issued_at.timestamp()
        return age > float(app_settings.UNSUBSCRIBE_TOKEN_MAX_AGE)


def make_token(user_id: Any, subscription_id: Any, channel: str, verb: str = "", issued_at: float | None = None) -> str:
    """A signed token naming one user, one subscription (or, with none, one ``verb``) and one channel.

    A token must name a subscription or a verb: a link never opts out of a whole channel.
    """
    if subscription_id is None and not verb:
        raise ValueError("An unsubscribe token names a subscription or a verb, never a whole channel.")
    issued = int(1000 * (time.time() if issued_at is None else issued_at))  # milliseconds
    payload = {"u": str(user_id), "s": subscription_id, "v": verb, "c": channel, "t": issued}
    return signing.dumps(payload, salt=SALT, compress=False)


def read_token(token: str) -> UnsubscribeToken | None:
    """What a genuine, scoped token names (expired or not: see ``.expired``); None for anything else."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, subscription_id, channel = payload.get("u"), payload.get("s"), payload.get("c")
    verb, issued = payload.get("v", ""), payload.get("t")
    if not isinstance(user_id, str) or not isinstance(channel, str) or not isinstance(verb, str):
        return None
    if subscription_id is not None and (not isinstance(subscription_id, int) or isinstance(subscription_id, bool)):
        return None
    if not isinstance(issued, int) or isinstance(issued, bool):
        issued = 0  # a link of a version without issue times: long expired
    if subscription_id is None and not verb:
        return None  # unscoped (a channel-wide opt-out): never honoured
    return UnsubscribeToken(user_id, subscription_id, verb, channel, datetime.fromtimestamp(issued / 1000, tz=UTC))


def unsubscribe_url(user_id: Any, subscription_id: Any, channel: str, verb: str = "") -> str | None:
    """The absolute one-click URL, or None without ``SITE_URL`` or the package's URLs."""
    base = site_url()
    if not base:
        return None
    try:
        path = reverse(
            "django_signal_notifier_preferences:unsubscribe", args=[make_token(user_id, subscription_id, channel, verb)]
        )
    except NoReverseMatch:
        return None
    return base + path


def delivery_unsubscribe_url(delivery: Any, user: Any) -> str | None:
    """The one-click URL for a delivery to a user, scoped to what the message was about.

    None for a mandatory message, an admin test send, a message whose subscription was deleted,
    or when no link can be made.
    """
    if user is None or delivery.recipient_id is None:
        return None
    if delivery.subscription_id is not None:
        if delivery.subscription.mandatory:
            return None
        return unsubscribe_url(delivery.recipient_id, delivery.subscription_id, delivery.channel)
    sent_from_code = (delivery.event.snapshot or {}).get(SENT_FROM_CODE)
    if not isinstance(sent_from_code, dict) or sent_from_code.get("mandatory", True):
        return None  # a test send, a deleted subscription's message, or a mandatory explicit send
    return unsubscribe_url(delivery.recipient_id, None, delivery.channel, verb=delivery.event.verb)


def headers_for(url: str | None) -> dict[str, str]:
    """``List-Unsubscribe`` and ``List-Unsubscribe-Post`` carrying ``url`` (none without one)."""
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK}
