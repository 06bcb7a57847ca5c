"""The message-template registry: stored backends name a template class by its name."""

from __future__ import annotations

from django_signal_notifier.exceptions import MessageTemplateError
from django_signal_notifier.message_templates.base import MessageTemplate
from django_signal_notifier.registry import Registry

template_registry: Registry[type[MessageTemplate]] = Registry("message template", MessageTemplate, MessageTemplateError)
register_message_template = template_registry.register
