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
class SimpleTelegramMessageTemplate1(MessageTemplate):
    """0.2.1's Telegram template: the signal, the object, the actor and the target, a line each."""

    label = "Simple Telegram (0.2.1)"
    template_string = (
        "{{ verb }}\n{{ instance }}{% if actor %}\n{{ actor }}{% endif %}{% if target %}\n{{ target }}{% endif %}"
    )


@template_registry.register
class SimpleTelegramMessageTemplate2(MessageTemplate):
    """0.2.1's second Telegram template: the signal and the object as a JSON object."""

    label = "Simple Telegram as JSON (0.2.1)"
    template_string = '{"verb": "{{ verb|escapejs }}", "action_object": "{{ instance|escapejs }}"}'


@template_registry.register
class SimpleSMTPMessageTemplate(MessageTemplate):
    """0.2.1's email template: a fixed subject, the signal and the object."""

    label = "Simple email (0.2.1)"
    subject = "django-signal-notifier email check"
    template_string = "verb: {{ verb }}\naction_object: {{ instance }}"


@template_registry.register
class BaseMessageTemplateDefault(MessageTemplate):
    """0.2.1 listed its base class as a template; it renders the verb and the object."""

    name = "BaseMessageTemplate"
    offered = False
    template_string = "{{ verb }}: {{ instance }}"
