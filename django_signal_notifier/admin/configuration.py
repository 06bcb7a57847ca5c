"""Admin for Trigger, Backend and Subscription."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_signal_notifier.admin.delivery_counts import render_delivery_counts
from django_signal_notifier.admin.forms import BackendForm, TriggerForm
from django_signal_notifier.config.conditions import validate_conditions
from django_signal_notifier.events.verbs import get_signal
from django_signal_notifier.models import Backend, Subscription, Trigger


class SubscriptionFormSet(BaseInlineFormSet):
    """Subscriptions edited with their trigger see the trigger as edited (receiver paths are checked against it)."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.trigger = self.instance
        return form


class SubscriptionInline(admin.StackedInline):
    model = Subscription
    formset = SubscriptionFormSet
    extra = 0
    filter_horizontal = ["backends", "receiver_users", "receiver_groups"]
    fields = [
        "name",
        "backends",
        "receiver_users",
        "receiver_groups",
        "receiver_field_paths",
        "receiver_callable",
        "exclude_actor",
        "enabled",
        "mandatory",
        ("digest_seconds", "digest_template"),
        "throttle_seconds",
    ]
    show_change_link = True


@admin.action(description=_("Enable the selected items"), permissions=["change"])
def enable(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = queryset.update(enabled=True)
    modeladmin.message_user(request, ngettext("%d item enabled.", "%d items enabled.", count) % count, messages.SUCCESS)


@admin.action(description=_("Disable the selected items"), permissions=["change"])
def disable(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = queryset.update(enabled=False)
    modeladmin.message_user(
        request, ngettext("%d item disabled.", "%d items disabled.", count) % count, messages.SUCCESS
    )


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin):
    form = TriggerForm
    list_display = ["__str__", "verb", "action_object_content_type", "action_object_id", "enabled", "status_note"]
    list_filter = ["enabled", "verb", "action_object_content_type"]
    search_fields = ["name", "verb", "key", "target"]
    inlines = [SubscriptionInline]
    actions = [enable, disable]
    readonly_fields = ["delivery_counts"]

    @admin.display(description=_("deliveries"))
    def delivery_counts(self, obj: Trigger) -> str:
        """Deliveries of this trigger per status, each a link to the filtered delivery log."""
        if obj.pk is None:
            return "–"

        return render_delivery_counts(obj)

    @admin.display(description=_("problems"))
    def status_note(self, obj: Trigger) -> str:

        if get_signal(obj.verb) is None:
            return str(_("signal %(verb)s is not registered") % {"verb": obj.verb})
        content_type = obj.action_object_content_type
        if content_type is not None and content_type.model_class() is None:
            return str(_("model %(model)s no longer exists") % {"model": content_type.model})

        model = content_type.model_class() if content_type is not None else None
        return " ".join(validate_conditions(obj.conditions, model, obj.verb))


@admin.register(Backend)
class BackendAdmin(admin.ModelAdmin):
    form = BackendForm
    list_display = ["__str__", "messenger", "message_template"]
    list_filter = ["messenger"]
    search_fields = ["name", "messenger", "message_template", "key"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "trigger", "enabled", "mandatory"]
    list_filter = ["enabled", "mandatory", "trigger"]
    list_select_related = ["trigger"]
    search_fields = ["name", "key", "trigger__name", "trigger__verb"]
    filter_horizontal = ["backends", "receiver_users", "receiver_groups"]
    actions = [enable, disable]
