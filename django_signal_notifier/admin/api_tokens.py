"""Admin for users' API tokens: create one (its value shown once), see when it was last used, revoke it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from django_signal_notifier.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "expires_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["prefix", "name"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "prefix", "created_at", "last_used_at", "expires_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A token belongs to one user for its whole life: moving it would hand over the access.
        return [*self.readonly_fields, "user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raw = None if change else obj.set_key()
        super().save_model(request, obj, form, change)
        if raw is not None:
            messages.warning(
                request,
                _("The new token is %(token)s — copy it now: it is stored only as a hash and will not be shown again.")
                % {"token": raw},
            )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        count, _deleted = queryset.delete()
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})
