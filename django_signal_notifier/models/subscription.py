"""Backend (*what* and *how*) and Subscription (*whom*)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.config import ConfigQuerySet
from django_signal_notifier.models.trigger import Trigger
from django_signal_notifier.validators import clean_row, validate_group_key_template, validate_message_template_name


class Backend(models.Model):
    """A messenger (the channel) with the message template it renders."""

    messenger = models.CharField(
        _("messenger"), max_length=128, help_text=_("The name of a registered messenger, e.g. EmailMessenger.")
    )
    message_template = models.CharField(
        _("message template"),
        max_length=128,
        blank=True,
        help_text=_("The name of a registered message template. Empty: the messenger's default template."),
    )
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_("Messenger options, e.g. a webhook URL.")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifies a backend declared in code; declaring it again updates it."),
    )
    declared_fields = models.JSONField(
        _("declared in code"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "The fields `signal_notifier sync` sets from a declaration in code; the admin shows them read-only."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("backend")
        verbose_name_plural = _("backends")
        ordering = ["id"]

    def __str__(self) -> str:
        if self.name:
            return self.name
        template = self.message_template or _("default template")
        return f"{self.messenger} · {template}"

    def clean(self) -> None:
        clean_row(self)


class GroupBy(models.TextChoices):
    """How a subscription's in-site notifications collapse into inbox entries."""

    NONE = "none", _("no grouping: one entry per notification")
    VERB_OBJECT = "verb_object", _("same verb and object")
    VERB_TARGET = "verb_target", _("same verb and target")
    CUSTOM = "custom", _("custom key template")


class Subscription(models.Model):
    """Ties a trigger to backends and to the users and groups who receive its messages."""

    trigger = models.ForeignKey(
        Trigger, verbose_name=_("trigger"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    backends = models.ManyToManyField(Backend, verbose_name=_("backends"), related_name="subscriptions")
    receiver_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("users"),
        blank=True,
        related_name="signal_notifier_subscriptions",
    )
    receiver_groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups"),
        blank=True,
        related_name="signal_notifier_subscriptions",
    )
    receiver_field_paths = models.JSONField(
        _("receivers from the event"),
        default=list,
        blank=True,
        help_text=_(
            'Paths from the sender object to users, e.g. ["author", "article.followers"]: '
            "foreign keys, reverse foreign keys and many-to-many fields, chained with dots."
        ),
    )
    receiver_callable = models.CharField(
        _("receivers callable"),
        max_length=255,
        blank=True,
        help_text=_(
            "The name a function (event) -> users, user ids or a user queryset is registered under "
            "with @django_signal_notifier.receiver(name)."
        ),
    )
    exclude_actor = models.BooleanField(
        _("exclude the actor"), default=False, help_text=_("Never notify the user who caused the event.")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifies a subscription declared in code; declaring it again updates it."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    mandatory = models.BooleanField(
        _("mandatory"), default=False, help_text=_("Recipients cannot turn these notifications off.")
    )
    digest_seconds = models.PositiveIntegerField(
        _("digest window (seconds)"),
        default=0,
        help_text=_("Batch each recipient's messages over this many seconds into one digest. 0: send each at once."),
    )
    digest_template = models.CharField(
        _("digest template"),
        max_length=128,
        blank=True,
        help_text=_("The registered message template of the digest. Empty: DigestMessageTemplate."),
        validators=[validate_message_template_name],
    )
    throttle_seconds = models.PositiveIntegerField(
        _("throttle (seconds)"),
        default=0,
        help_text=_(
            "Drop a message when the same recipient already got one about the same object within this many seconds."
        ),
    )
    inbox_expiry_seconds = models.PositiveIntegerField(
        _("inbox expiry (seconds)"),
        default=0,
        help_text=_(
            "Hide its in-site notifications this many seconds after the event (the prune command then deletes "
            "them). 0: they never expire."
        ),
    )
    group_by = models.CharField(
        _("group in the inbox by"),
        max_length=16,
        choices=GroupBy.choices,
        default=GroupBy.VERB_OBJECT,
        help_text=_(
            "In-site notifications with the same key show as one inbox entry (“bob and 3 others commented on X”)."
        ),
    )
    group_key_template = models.CharField(
        _("custom group key"),
        max_length=255,
        blank=True,
        validators=[validate_group_key_template],
        help_text=_(
            "With a custom key: fields in braces, e.g. “{verb}:{target}”. Fields: verb, actor, "
            "action_object, target, trigger, subscription."
        ),
    )
    steps = models.JSONField(
        _("steps"),
        default=dict,
        blank=True,
        help_text=_(
            "How each backend's message is sent, keyed by the backend's key or id: "
            '{"email": {"delay": 3600, "only_if_unread": true}} sends the email an hour after the event, '
            "only to the recipients who have not read its in-site notification by then."
        ),
    )
    declared_fields = models.JSONField(
        _("declared in code"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "The fields `signal_notifier sync` sets from a declaration in code; the admin shows them read-only."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or _("Subscription %(id)s to %(trigger)s") % {"id": self.pk, "trigger": self.trigger}

    def clean(self) -> None:
        clean_row(self)

    def receivers(self) -> QuerySet[Any]:
        """The active users reached through ``receiver_users`` and ``receiver_groups``, once each."""
        return get_user_model()._default_manager.filter(static_receivers_q(self.pk))

    @property
    def subscribers(self) -> QuerySet[Any]:
        """0.2.1's name for :meth:`receivers`."""
        return self.receivers()


def static_receivers_q(subscription_id: Any) -> Q:
    """Users listed on the subscription or members of one of its groups, as subqueries."""
    users_through = Subscription.receiver_users.through
    groups_through = Subscription.receiver_groups.through
    user_model = get_user_model()
    direct = users_through.objects.filter(subscription_id=subscription_id).values("user_id")
    q = Q(pk__in=direct)
    groups = getattr(user_model, "groups", None)
    if groups is not None:  # custom user models without PermissionsMixin have no groups
        group_ids = groups_through.objects.filter(subscription_id=subscription_id).values("group_id")
        q |= Q(pk__in=groups.through.objects.filter(group_id__in=group_ids).values("user_id"))
    if any(f.name == "is_active" for f in user_model._meta.concrete_fields):
        q &= Q(is_active=True)
    return q
