"""Admin for Trigger, Backend and Subscription."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.admin.backend_form import BackendForm, backend_form, messenger_options, options_summary
from django_signal_notifier.admin.backend_form import option_field_name as _option_field
from django_signal_notifier.admin.declared import DeclaredInCodeAdmin, declared_fields
from django_signal_notifier.admin.display import ADMIN_MEDIA, pretty_json
from django_signal_notifier.admin.forms import SubscriptionForm, TriggerForm
from django_signal_notifier.admin.trigger_activity import render_delivery_counts, render_recent_failures
from django_signal_notifier.admin.workflow import render_workflow
from django_signal_notifier.config.problems import (
    Problem,
    backend_problems,
    subscription_problems,
    trigger_diagnosis,
)
from django_signal_notifier.models import Backend, Subscription, Trigger


def problems_cell(lines: list[str]) -> SafeString | str:
    """A problems column: one line per problem, "-" when there is none."""
    if not lines:
        return "-"
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines))


def warn_about(modeladmin: admin.ModelAdmin, request: HttpRequest, lines: list[str]) -> None:
    """Saved, but it will not work as it is: say so (the same texts as the problems column and the CLI)."""
    for line in lines:
        modeladmin.message_user(request, gettext("Saved, but: %(problem)s") % {"problem": line}, messages.WARNING)


def _lines(problems: list[Problem]) -> list[str]:
    return [f"{problem.text}. {problem.hint}" if problem.hint else f"{problem.text}." for problem in problems]


class SubscriptionFormSet(BaseInlineFormSet):
    """Subscriptions edited with their trigger see the trigger as edited (receiver paths are checked against it)."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.trigger = self.instance
        return form


class SubscriptionInline(admin.StackedInline):
    model = Subscription
    form = SubscriptionForm  # a declared subscription has its declared fields disabled
    formset = SubscriptionFormSet
    extra = 0
    filter_horizontal = ["backends", "receiver_users", "receiver_groups"]
    fields = [
        ("name", "enabled", "mandatory"),
        "backends",
        "receiver_users",
        "receiver_groups",
        "receiver_field_paths",
        "receiver_callable",
        "exclude_actor",
        ("digest_seconds", "digest_template"),
        ("throttle_seconds", "inbox_expiry_seconds"),
        ("group_by", "group_key_template"),
        "steps",
    ]
    show_change_link = True

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        """Compact search boxes instead of the two-box selectors, where the admin can search the related model.

        Django's autocomplete needs the related model registered with ``search_fields`` and the
        user allowed to view it; otherwise the two-box selector stays.
        """
        return [name for name in self.filter_horizontal if _searchable(self.admin_site, request, name)]


def _searchable(site: admin.AdminSite, request: HttpRequest, field: str) -> bool:
    related = Subscription._meta.get_field(field).related_model
    try:
        related_admin = site.get_model_admin(related)  # type: ignore[arg-type]
    except NotRegistered:
        return False
    return bool(related_admin.get_search_fields(request)) and related_admin.has_view_permission(request)


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
class TriggerAdmin(DeclaredInCodeAdmin):
    form = TriggerForm
    list_display = [
        "__str__",
        "enabled",
        "status_note",
        "verb",
        "action_object_content_type",
        "subscription_count",
        "in_code",
    ]
    list_display_links = ["__str__"]
    list_filter = ["enabled", "verb", ("action_object_content_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "verb", "key", "target"]
    inlines = [SubscriptionInline]
    actions = [enable, disable]
    readonly_fields = ["delivery_counts", "recent_failures", "workflow"]
    fieldsets = [
        (None, {"fields": ["name", "verb", "action_object_content_type", "enabled", "cancels_pending"]}),
        (_("Steps"), {"fields": ["workflow"]}),
        (
            _("Only when"),
            {
                "fields": [
                    "conditions",
                    "action_object_id",
                    ("actor_object_content_type", "actor_object_id"),
                    "target",
                ],
                "description": _("Narrow the trigger down; everything left empty matches any send of the signal."),
            },
        ),
        (_("Activity"), {"fields": ["delivery_counts", "recent_failures"]}),
        (_("Key"), {"fields": ["key"], "classes": ["collapse"]}),
    ]
    media = ADMIN_MEDIA

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:  # nothing happened yet, and no subscription to show the steps of
            return [fieldset for fieldset in self.fieldsets if fieldset[0] not in (_("Activity"), _("Steps"))]
        return self.fieldsets

    @admin.display(description=_("Steps in order"))
    def workflow(self, obj: Trigger) -> SafeString | str:
        """Each subscription's backends in the order they run, with their delay, time and conditions."""
        return render_workflow(obj)

    @admin.display(description=_("Deliveries"))
    def delivery_counts(self, obj: Trigger) -> str:
        """Deliveries of this trigger per status, each a link to the filtered delivery log."""
        if obj.pk is None:
            return "–"
        return render_delivery_counts(obj)

    @admin.display(description=_("Recent failures"))
    def recent_failures(self, obj: Trigger) -> str:
        """The latest failed or dead deliveries of this trigger, with their errors."""
        if obj.pk is None:
            return "–"
        return render_recent_failures(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("action_object_content_type", "actor_object_content_type")
            .prefetch_related(
                "subscriptions__backends", "subscriptions__receiver_users", "subscriptions__receiver_groups"
            )
        )

    @admin.display(description=_("Problems"))
    def status_note(self, obj: Trigger) -> SafeString | str:
        """The trigger's, its subscriptions' and their backends' problems (config.problems), one per line."""
        return problems_cell(trigger_diagnosis(obj))

    @admin.display(description=_("Subscriptions"))
    def subscription_count(self, obj: Trigger) -> int:
        return len(obj.subscriptions.all())  # prefetched

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        trigger = Trigger.objects.prefetch_related(
            "subscriptions__backends", "subscriptions__receiver_users", "subscriptions__receiver_groups"
        ).get(pk=form.instance.pk)
        warn_about(self, request, [f"{line}." for line in trigger_diagnosis(trigger)])


@admin.register(Backend)
class BackendAdmin(DeclaredInCodeAdmin):
    form = BackendForm
    list_display = ["__str__", "messenger", "message_template", "status_note", "subscription_count", "in_code"]
    list_filter = ["messenger"]
    search_fields = ["name", "messenger", "message_template", "key"]
    declared_as = {"options": "options_display"}
    media = ADMIN_MEDIA

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = backend_form(self.form, without=self.get_readonly_fields(request, obj))
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets: list[Any] = [(None, {"fields": ["name", "messenger", "message_template"]})]
        if "options" in declared_fields(obj):
            fieldsets.append((_("Options"), {"fields": ["options_display"]}))
        else:
            for name, messenger_cls, options in messenger_options():
                fieldsets.append(
                    (
                        _("Options of %(messenger)s") % {"messenger": messenger_cls.label or name},
                        {
                            "fields": [_option_field(name, option.name) for option in options],
                            "classes": ["dsn-messenger-options", f"dsn-options-for-{name}"],
                        },
                    )
                )
        fieldsets.append((_("Key"), {"fields": ["key"], "classes": ["collapse"]}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request).annotate(subscriptions_total=Count("subscriptions"))
        return queryset

    @admin.display(description=_("Options"))
    def options_display(self, obj: Backend) -> SafeString:
        return pretty_json(options_summary(obj))

    @admin.display(description=_("Problems"))
    def status_note(self, obj: Backend) -> SafeString | str:
        return problems_cell([problem.text for problem in backend_problems(obj)])

    @admin.display(description=_("Subscriptions"), ordering="subscriptions_total")
    def subscription_count(self, obj: Backend) -> int:
        return int(getattr(obj, "subscriptions_total", 0))


@admin.register(Subscription)
class SubscriptionAdmin(DeclaredInCodeAdmin):
    form = SubscriptionForm
    list_display = ["__str__", "enabled", "mandatory", "status_note", "trigger", "in_code"]
    list_filter = ["enabled", "mandatory", "trigger"]
    list_select_related = ["trigger__action_object_content_type"]
    search_fields = ["name", "key", "trigger__name", "trigger__verb"]
    filter_horizontal = ["backends", "receiver_users", "receiver_groups"]
    actions = [enable, disable]
    fieldsets = [
        (None, {"fields": ["name", "trigger", "backends", ("enabled", "mandatory")]}),
        (
            _("Receivers"),
            {
                "fields": [
                    "receiver_users",
                    "receiver_groups",
                    "receiver_field_paths",
                    "receiver_callable",
                    "exclude_actor",
                ],
                "description": _(
                    "Everyone reached by any of these receives the message, once: chosen users, members of the "
                    "chosen groups, users reached from the event's object, and those a callable returns."
                ),
            },
        ),
        (
            _("Pacing"),
            {"fields": [("digest_seconds", "digest_template"), ("throttle_seconds", "inbox_expiry_seconds")]},
        ),
        (
            _("Inbox grouping"),
            {
                "fields": [("group_by", "group_key_template")],
                "description": _(
                    "In-site notifications with the same group key show as one inbox entry, "
                    "“bob and 3 others commented on X”. A digest subscription's in-site notifications of one "
                    "window are one entry."
                ),
            },
        ),
        (
            _("Steps"),
            {
                "fields": ["steps"],
                "description": _(
                    "Delay a backend's messages or send them only if the in-site notification is still unread: "
                    "see the Workflows page of the documentation."
                ),
            },
        ),
        (_("Key"), {"fields": ["key"], "classes": ["collapse"]}),
    ]
    media = ADMIN_MEDIA

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("backends", "receiver_users", "receiver_groups")

    @admin.display(description=_("Problems"))
    def status_note(self, obj: Subscription) -> SafeString | str:
        return problems_cell([problem.text for problem in subscription_problems(obj)])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        subscription = Subscription.objects.prefetch_related("backends", "receiver_users", "receiver_groups").get(
            pk=form.instance.pk
        )
        warn_about(self, request, _lines([p for p in subscription_problems(subscription) if not p.blocks_save]))
