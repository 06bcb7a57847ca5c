"""The default digest template: "5 new notifications in the last hour" and one line each."""

from __future__ import annotations

from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.registry import template_registry


@template_registry.register
class DigestMessageTemplate(MessageTemplate):
    """Context: ``count``, ``items`` (each with subject, text, html, url), ``since``, ``until``,
    ``window`` (seconds), ``recipient``, ``subscription``, ``trigger``."""

    label = "Digest (count and one line per message)"
    subject = (
        "{% load i18n %}{% blocktranslate count counter=count %}{{ counter }} new notification"
        "{% plural %}{{ counter }} new notifications{% endblocktranslate %}"
    )
    template_string = (
        "{% load i18n %}{% blocktranslate count counter=count with period=since|timesince:until %}"
        "{{ counter }} new notification in the last {{ period }}:{% plural %}"
        "{{ counter }} new notifications in the last {{ period }}:{% endblocktranslate %}\n"
        "{% for item in items %}- {{ item.subject|default:item.text }}{% if item.url %} {{ item.url }}{% endif %}\n"
        "{% endfor %}"
    )
    html = (
        "{% load i18n %}<p>{% blocktranslate count counter=count with period=since|timesince:until %}"
        "{{ counter }} new notification in the last {{ period }}:{% plural %}"
        "{{ counter }} new notifications in the last {{ period }}:{% endblocktranslate %}</p><ul>"
        '{% for item in items %}<li>{% if item.url %}<a href="{{ item.url }}">{% endif %}'
        "{{ item.subject|default:item.text }}{% if item.url %}</a>{% endif %}</li>{% endfor %}</ul>"
    )
