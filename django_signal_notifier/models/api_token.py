"""ApiToken: a user's key to the HTTP API, sent as ``Authorization: Bearer <token>``; only its hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "dsn_"
# How stale ``last_used_at`` may get: one UPDATE per token per interval, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a fast hash is enough (as GitHub's)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenManager(models.Manager["ApiToken"]):
    """Issuing and looking up tokens."""

    def issue(self, user: Any, name: str = "", expires_at: datetime | None = None) -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the raw token, which is never stored nor shown again."""
        token = self.model(user=user, name=name, expires_at=expires_at)
        raw = token.set_key()
        token.save(force_insert=True, using=self.db)
        return token, raw

    def authenticate(self, raw: str) -> ApiToken | None:
        """The live token whose raw value is ``raw`` (its user active), or None; records when it was used."""
        now = timezone.now()
        token = self.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or (token.expires_at is not None and token.expires_at <= now):
            return None
        if not getattr(token.user, "is_active", True):
            return None
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            self.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token


class ApiToken(models.Model):
    """A personal API token. Revoking it deletes the row; a deleted user's tokens go with them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signal_notifier_api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the token is for."))
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, help_text=_("Empty: never."))

    objects = ApiTokenManager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user_id})"

    def set_key(self) -> str:
        """Give this (unsaved) token a new random key; returns the raw token, of which only the hash is kept."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix, self.key_hash = raw[:12], hash_token(raw)
        return raw
