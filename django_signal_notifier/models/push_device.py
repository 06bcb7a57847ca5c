"""WebPushDevice: a browser's Web Push subscription (RFC 8030), one row per device, owned by one user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Long enough for every push service's endpoint URL, short enough for a unique index on MariaDB
# and MySQL (utf8mb4: 4 bytes a character, 3072 bytes an index). Unique through a constraint, not
# unique=True: Django's mysql.W003 warns about any unique varchar above 255 characters (older MySQL
# row formats), which would make `migrate` and `check` noisy on MariaDB 10.4+ and MySQL 8 where it works.
ENDPOINT_MAX_LENGTH = 700


class WebPushDeviceManager(models.Manager["WebPushDevice"]):
    """Registering subscriptions, and a user's own."""

    def for_user(self, user: Any) -> models.QuerySet[WebPushDevice]:
        """The browsers ``user`` subscribed."""
        return self.filter(user_id=user.pk)

    def register(
        self, user: Any, endpoint: str, p256dh: str, auth: str, user_agent: str = "", max_devices: int | None = None
    ) -> tuple[WebPushDevice, bool]:
        """The device of ``endpoint``, created or updated for ``user``; ``True`` when it is new.

        A browser that subscribes again (new keys) keeps its one row: the endpoint identifies the
        device. Only its own user may update it: an endpoint registered by another user raises
        :class:`EndpointTaken` and changes nothing (its keys are the other user's). With
        ``max_devices``, a new device past that many drops the user's least recently used ones.
        """
        defaults = {"p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
        try:
            with transaction.atomic():
                owner = self.select_for_update().filter(endpoint=endpoint).values_list("user_id", flat=True).first()
                if owner is not None and owner != user.pk:
                    raise EndpointTaken(endpoint)
                device, created = self.update_or_create(endpoint=endpoint, user=user, defaults=defaults)
        except IntegrityError:  # another user registered it in between
            raise EndpointTaken(endpoint) from None
        if created and max_devices is not None:
            self.keep_most_recent(user, max_devices)
        return device, created

    def keep_most_recent(self, user: Any, count: int) -> int:
        """Delete ``user``'s devices past the ``count`` most recently used (or registered); how many went."""
        ranked = self.for_user(user).order_by(Coalesce("last_used_at", "created_at").desc(), "-pk")
        # A list, not a sliced subquery: MariaDB has no LIMIT inside IN.
        surplus = list(ranked.values_list("pk", flat=True)[max(count, 1) :])
        if not surplus:
            return 0
        return self.filter(pk__in=surplus).delete()[0]


class EndpointTaken(Exception):
    """The endpoint is registered to another user: only that user may update or remove it."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint)
        self.endpoint = endpoint


class WebPushDevice(models.Model):
    """A push subscription of one browser: where to POST (``endpoint``) and the keys to encrypt with."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signal_notifier_webpush_devices",
        verbose_name=_("user"),
    )
    endpoint = models.CharField(
        _("endpoint"),
        max_length=ENDPOINT_MAX_LENGTH,
        help_text=_("The push service URL the browser gave for this subscription."),
    )
    p256dh = models.CharField(_("public key (p256dh)"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = WebPushDeviceManager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("Web Push device")
        verbose_name_plural = _("Web Push devices")
        ordering = ["user_id", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["endpoint"], name="dsn_webpush_endpoint_unique")]

    def __str__(self) -> str:
        return f"{self.user_agent or _('browser')} ({self.endpoint[:40]}…)"

    def subscription_info(self) -> dict[str, Any]:
        """The subscription as the browser's ``PushSubscription.toJSON()`` gives it (pywebpush's input)."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
