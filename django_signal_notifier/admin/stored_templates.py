"""Admin for stored message templates: edit, validate, preview against a real object, send a test."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.admin.previews import may_view_model, render_preview, send_test
from django_signal_notifier.models import Backend, Delivery, StoredTemplate, Trigger
from django_signal_notifier.rendering.sandbox import syntax_errors
from django_signal_notifier.rendering.stored import build_template_class


class PreviewForm(forms.Form):
    """A trigger (for its model and signal), an object of that model, and the parts being edited."""

    trigger = forms.ModelChoiceField(
        queryset=Trigger.objects.filter(action_object_content_type__isnull=False),
        label=_("trigger"),
        help_text=_("Its sender model is the model of the object below."),
    )
    object_id = forms.CharField(label=_("object id"), help_text=_("The primary key of a real object of that model."))
    subject = forms.CharField(label=_("subject"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(label=_("text body"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    html = forms.CharField(label=_("HTML body"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    url = forms.CharField(label=_("URL"), required=False)
    backend = forms.ModelChoiceField(
        queryset=Backend.objects.none(),
        required=False,
        label=_("backend for the test"),
        help_text=_("A backend using this template; the test goes to you through it (the saved version)."),
    )

    def __init__(self, *args: Any, record: StoredTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["backend"].queryset = Backend.objects.filter(  # type: ignore[attr-defined]
            message_template=record.registry_name
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        trigger = data.get("trigger")
        object_id = data.get("object_id")
        if trigger is not None and object_id:
            model = trigger.action_object_content_type.model_class()
            if model is None:
                raise forms.ValidationError(_("The trigger's model no longer exists."))
            try:
                instance = model._default_manager.filter(pk=object_id).first()
            except (ValueError, TypeError, Exception):
                instance = None
            if instance is None:
                self.add_error(
                    "object_id",
                    _("No %(model)s with primary key %(pk)s exists.")
                    % {"model": model._meta.verbose_name, "pk": object_id},
                )
            data["instance"] = instance
        return data


class StoredTemplateForm(forms.ModelForm):
    """The subject is one line (a short box), the bodies are large boxes."""

    class Meta:
        model = StoredTemplate
        fields = ["name", "description", "subject", "text", "html", "url"]
        widgets = {"subject": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}


@admin.register(StoredTemplate)
class StoredTemplateAdmin(admin.ModelAdmin):
    form = StoredTemplateForm
    list_display = ["name", "description", "updated_at", "preview_link"]
    search_fields = ["name", "description", "subject", "text"]
    readonly_fields = ["preview_link", "updated_at"]
    fields = ["name", "description", "subject", "text", "html", "url", "preview_link", "updated_at"]
    preview_template = "admin/django_signal_notifier/storedtemplate/preview.html"

    @admin.display(description=_("preview"))
    def preview_link(self, obj: StoredTemplate) -> str:
        if obj.pk is None:
            return str(_("Save first, then preview."))
        url = reverse("admin:django_signal_notifier_storedtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview / send a test to me"))

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="django_signal_notifier_storedtemplate_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:

        record = self.get_object(request, object_id)
        if record is None:
            raise Http404(_("No stored template with this id."))
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        rendered = None
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            form = PreviewForm(request.POST, record=record)
            if form.is_valid() and not self._may_read(request, form):
                raise PermissionDenied
            if form.is_valid():
                data = form.cleaned_data
                if "send_test" in request.POST:
                    if not self.has_change_permission(request, record):
                        raise PermissionDenied
                    self._send_test(request, form, data, send_test)
                else:
                    draft = StoredTemplate(
                        pk=record.pk,
                        name=record.name,
                        subject=data["subject"],
                        text=data["text"],
                        html=data["html"],
                        url=data["url"],
                    )
                    errors = syntax_errors(draft.sources())
                    if not errors:
                        template = build_template_class(draft)()
                        try:
                            rendered = render_preview(template, data["trigger"], data["instance"], request.user)
                        except Exception as error:
                            errors = {"text": [str(error)]}
        else:
            form = PreviewForm(
                initial={"subject": record.subject, "text": record.text, "html": record.html, "url": record.url},
                record=record,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": record,
            "title": _("Preview of %(name)s") % {"name": record.name},
            "form": form,
            "rendered": rendered,
            "template_errors": errors,
        }
        return TemplateResponse(request, self.preview_template, context)

    @staticmethod
    def _may_read(request: HttpRequest, form: PreviewForm) -> bool:
        """A preview shows an object's fields: only to users who may view or change its model."""
        return may_view_model(request.user, type(form.cleaned_data["instance"]))

    def _send_test(self, request: HttpRequest, form: PreviewForm, data: dict[str, Any], send_test: Any) -> None:
        backend = data.get("backend")
        if backend is None:
            form.add_error("backend", self._no_backend_error(form.record))
            return
        event = send_test(backend, data["trigger"], data["instance"], request.user)
        outcomes = list(Delivery.objects.filter(event=event))
        if not outcomes:
            self.message_user(request, _("Test written to your in-site inbox."), messages.SUCCESS)
            return
        for delivery in outcomes:
            self.message_user(request, describe_test_send(delivery), _outcome_level(delivery.status))

    @staticmethod
    def _no_backend_error(record: StoredTemplate) -> str:
        """Ask for a backend, with a link that creates one using this template when none does yet."""
        if Backend.objects.filter(message_template=record.registry_name).exists():
            return str(_("Choose a backend that uses this template to send a test."))
        url = (
            reverse("admin:django_signal_notifier_backend_add")
            + "?"
            + urlencode({"message_template": record.registry_name, "name": record.name})
        )
        return format_html(
            '{} <a href="{}">{}</a>',
            _("No backend uses this template yet."),
            url,
            _("Create a backend with this template"),
        )


def _outcome_level(status: str) -> int:
    return messages.SUCCESS if status in ("sent", "pending", "sending") else messages.ERROR


def describe_test_send(delivery: Delivery) -> str:
    """What happened to a test delivery: its status, where it went and a link to its row in the log."""
    link = format_html(
        '<a href="{}">{}</a>',
        reverse("admin:django_signal_notifier_delivery_change", args=[delivery.pk]),
        gettext("delivery #%(pk)s") % {"pk": delivery.pk},
    )
    where = delivery.sent_to or delivery.address
    to = gettext("you (%(address)s)") % {"address": where} if where else gettext("you")
    if delivery.status in ("pending", "sending"):
        text = gettext("Test to %(to)s: queued; the task worker sends it") % {"to": to}
    else:
        text = gettext("Test to %(to)s: %(status)s") % {"to": to, "status": delivery.get_status_display()}
    error = delivery.last_error or delivery.reason
    return format_html("{} ({}).{}", text, link, f" {error}" if error else "")
