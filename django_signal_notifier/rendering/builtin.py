"""The templates that ship with the package."""

from __future__ import annotations

from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.registry import template_registry


@template_registry.register
class DefaultMessageTemplate(MessageTemplate):
    """A one-line summary, the same for every recipient: '<actor> <action> <object>'."""

    label = "Default (summary)"
    subject = "{% if actor %}{{ actor }} {% endif %}{{ action }} {{ instance_type }} “{{ instance }}”"
    template_string = (
        "{% load i18n %}{% if actor %}{{ actor }} {% endif %}{{ action }} {{ instance_type }} “{{ instance }}”"
        "{% if target %} {% blocktranslate %}in {{ target }}{% endblocktranslate %}{% endif %}."
    )
    html = (
        "{% load i18n %}<p>{% if actor %}<strong>{{ actor }}</strong> {% endif %}{{ action }} {{ instance_type }} "
        "“{{ instance }}”{% if target %} {% blocktranslate %}in {{ target }}{% endblocktranslate %}{% endif %}.</p>"
    )
    url = "{{ instance_url }}"


@template_registry.register
class SimplePrintMessageTemplate(MessageTemplate):
    """The quickstart's template: names the signal, the object and the recipient."""

    label = "Simple print (quickstart)"
    subject = "{{ verb }}: {{ instance }}"
    template_string = "[django-signal-notifier] {{ verb }} on {{ instance_type }} “{{ instance }}” for {{ recipient }}"


@template_registry.register
class BaseMessageTemplateDefault(MessageTemplate):
    """0.2.1 listed its base class as a template; it renders the verb and the object."""

    name = "BaseMessageTemplate"
    offered = False
    template_string = "{{ verb }}: {{ instance }}"
