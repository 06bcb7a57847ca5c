"""Admin for suppressed addresses: why each was suppressed, and an action that lifts the suppression."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_signal_notifier.models import Suppression


class ActiveFilter(admin.SimpleListFilter):
    """Suppressions that still hold, or those lifted."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", _("active")), ("lifted", _("lifted"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "active":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Addresses not sent to any more. Rows are written by providers' feedback; lifting keeps the row."""

    list_display = ["address", "channel", "reason", "provider", "created_at", "lifted_at"]
    list_filter = [ActiveFilter, "channel", "provider"]
    search_fields = ["address", "reason"]
    readonly_fields = ["channel", "address", "reason", "provider", "delivery", "created_at", "lifted_at"]
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Lift the suppression (send to these addresses again)"), permissions=["change"])
    def lift(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        lifted = Suppression.objects.filter(pk__in=queryset.values("pk")).lift()
        self.message_user(
            request,
            ngettext("%(count)d suppression lifted.", "%(count)d suppressions lifted.", lifted) % {"count": lifted},
            messages.SUCCESS,
        )
