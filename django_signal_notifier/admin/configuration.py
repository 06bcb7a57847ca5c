"""Admin for Trigger, Backend and Subscription."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_signal_notifier.admin.delivery_counts import render_delivery_counts
from django_signal_notifier.admin.forms import BackendForm, TriggerForm
from django_signal_notifier.config.problems import backend_problems, subscription_problems, trigger_diagnosis
from django_signal_notifier.models import Backend, Subscription, Trigger


def problems_cell(lines: list[str]) -> SafeString | str:
    """A problems column: one line per problem, "-" when there is none."""
    if not lines:
        return "-"
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines))


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("action_object_content_type", "actor_object_content_type")
            .prefetch_related(
                "subscriptions__backends", "subscriptions__receiver_users", "subscriptions__receiver_groups"
            )
        )

    @admin.display(description=_("problems"))
    def status_note(self, obj: Trigger) -> SafeString | str:
        """The trigger's, its subscriptions' and their backends' problems (config.problems), one per line."""
        return problems_cell(trigger_diagnosis(obj))


@admin.register(Backend)
class BackendAdmin(admin.ModelAdmin):
    form = BackendForm
    list_display = ["__str__", "messenger", "message_template", "status_note"]
    list_filter = ["messenger"]
    search_fields = ["name", "messenger", "message_template", "key"]

    @admin.display(description=_("problems"))
    def status_note(self, obj: Backend) -> SafeString | str:
        return problems_cell([problem.text for problem in backend_problems(obj)])


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "trigger", "enabled", "mandatory", "status_note"]
    list_filter = ["enabled", "mandatory", "trigger"]
    list_select_related = ["trigger__action_object_content_type"]
    search_fields = ["name", "key", "trigger__name", "trigger__verb"]
    filter_horizontal = ["backends", "receiver_users", "receiver_groups"]
    actions = [enable, disable]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("backends", "receiver_users", "receiver_groups")

    @admin.display(description=_("problems"))
    def status_note(self, obj: Subscription) -> SafeString | str:
        return problems_cell([problem.text for problem in subscription_problems(obj)])
