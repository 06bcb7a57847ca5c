"""StoredTemplate: a message template kept in the database and edited in the admin."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models.config import ConfigQuerySet, _config_changed
from django_signal_notifier.validators import clean_row

STORED_PREFIX = "db:"


class StoredTemplate(models.Model):
    """A subject, a text body, an HTML body and a URL in Django's template language, rendered sandboxed.

    A Backend uses it by naming ``db:<name>`` as its message template.
    """

    name = models.SlugField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Backends name this template db: followed by this name, e.g. db:comment-mail."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    text = models.TextField(_("text body"), blank=True)
    html = models.TextField(_("HTML body"), blank=True)
    url = models.CharField(_("URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        app_label = "django_signal_notifier"
        verbose_name = _("stored message template")
        verbose_name_plural = _("stored message templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _stored_template_changed(self._state.db)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        _stored_template_changed(self._state.db)
        return result

    @property
    def registry_name(self) -> str:
        """The name a Backend uses: ``db:<name>``."""
        return f"{STORED_PREFIX}{self.name}"

    def sources(self) -> dict[str, str]:
        """The template source of each part, keyed like MessageTemplate parts."""
        return {"subject": self.subject, "text": self.text, "html": self.html, "url": self.url}

    def clean(self) -> None:
        clean_row(self)


def _stored_template_changed(using: str | None) -> None:
    _config_changed(using, StoredTemplate)  # other processes see the new version stamp and reload
