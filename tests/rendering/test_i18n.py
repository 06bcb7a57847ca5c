"""Each recipient's message in their own language; rendered once per language when possible."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from django_signal_notifier.models import Delivery, Notification
from django_signal_notifier.rendering.base import MessageTemplate
from django_signal_notifier.rendering.registry import template_registry
from django_signal_notifier.rendering.render import language_for
from tests.support.prefs import configure, make_user, recorded_messages, save_article  # noqa: F401

GETTER = {"CONFIG_CHECK_INTERVAL": 0.2, "LANGUAGE_GETTER": "tests.support.recording.language_of"}
RENDERS: list[str] = []


@template_registry.register
class TranslatedArticleTemplate(MessageTemplate):
    """Uses a project string ({% translate %}) and the package's own action phrase."""

    subject = "{% load i18n %}{% translate 'New article' %}: {{ instance }}"
    template_string = "{% load i18n %}{{ action }} {{ instance_type }} “{{ instance }}”"

    def render_message(self, context: dict[str, Any]) -> Any:
        RENDERS.append(translation.get_language())
        return super().render_message(context)


@pytest.fixture(autouse=True)
def _clear_renders() -> None:
    RENDERS.clear()


@pytest.mark.django_db
@override_settings(SIGNAL_NOTIFIER=GETTER)
def test_spanish_and_english_recipients_get_their_own_language(django_capture_on_commit_callbacks, sent):
    ana = make_user("ana", "ana@correo.es")
    bob = make_user("bob", "bob@example.com")
    configure([ana, bob], template="TranslatedArticleTemplate")

    article = save_article(django_capture_on_commit_callbacks, "Hola")
    save_article(django_capture_on_commit_callbacks, "Hola 2", article)

    by_address = {}
    for message in sent:
        by_address.setdefault(message.address, []).append((message.subject, message.text))
    assert by_address["ana@correo.es"] == [
        ("Nuevo artículo: Hola", "creó article “Hola”"),
        ("Nuevo artículo: Hola 2", "actualizó article “Hola 2”"),
    ]
    assert by_address["bob@example.com"] == [
        ("New article: Hola", "created article “Hola”"),
        ("New article: Hola 2", "updated article “Hola 2”"),
    ]
    assert set(Delivery.objects.values_list("recipient__username", "language")) == {("ana", "es"), ("bob", "en")}


@pytest.mark.django_db
@override_settings(SIGNAL_NOTIFIER=GETTER)
def test_rendered_once_per_language_not_per_recipient(django_capture_on_commit_callbacks, sent):
    spanish = [make_user(f"es{i}", f"es{i}@correo.es") for i in range(5)]
    english = [make_user(f"en{i}", f"en{i}@example.com") for i in range(7)]
    configure(spanish + english, template="TranslatedArticleTemplate")

    save_article(django_capture_on_commit_callbacks, "Hola")

    assert sorted(RENDERS) == ["en", "es"]
    assert len(sent) == 12
    assert {m.subject for m in sent if m.address.endswith(".es")} == {"Nuevo artículo: Hola"}


@pytest.mark.django_db
@override_settings(SIGNAL_NOTIFIER=GETTER)
def test_inbox_rows_are_in_each_recipients_language(django_capture_on_commit_callbacks):
    ana = make_user("ana", "ana@correo.es")
    bob = make_user("bob", "bob@example.com")
    configure([ana, bob], messengers=["InSiteMessenger"])

    save_article(django_capture_on_commit_callbacks, "Hola")

    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles == {"ana": "creó article “Hola”", "bob": "created article “Hola”"}


@pytest.mark.django_db
def test_without_getter_everyone_gets_language_code(django_capture_on_commit_callbacks, sent, settings):
    settings.LANGUAGE_CODE = "es"
    ana = make_user("ana", "ana@example.com")
    configure([ana], template="TranslatedArticleTemplate")

    save_article(django_capture_on_commit_callbacks, "Hola")

    assert [m.subject for m in sent] == ["Nuevo artículo: Hola"]


def _broken(user: Any) -> str:
    raise RuntimeError("profile service down")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("getter", "expected"),
    [
        (lambda user: "es-cl", "es"),  # a variant not in LANGUAGES falls back to its language
        (lambda user: "xx", "en"),  # unknown: LANGUAGE_CODE
        (lambda user: None, "en"),
        (_broken, "en"),  # a broken getter never breaks the fan-out
    ],
)
def test_language_getter_answers_are_normalised(getter, expected):
    user = make_user("u")
    with override_settings(SIGNAL_NOTIFIER={"LANGUAGE_GETTER": getter}):
        assert language_for(user) == expected


def test_package_strings_are_translated():
    from django_signal_notifier.models import DeliveryStatus
    from django_signal_notifier.rendering.render import action_text

    with translation.override("es"):
        assert str(action_text("post_save", True)) == "creó"
        assert str(action_text("post_delete", None)) == "eliminó"
        assert str(DeliveryStatus.SKIPPED.label) == "omitido"
    with translation.override("en"):
        assert str(action_text("post_save", False)) == "updated"


@pytest.mark.django_db
def test_preferences_rows_say_what_happened_in_the_users_language():
    from types import SimpleNamespace

    from django.contrib.contenttypes.models import ContentType

    from django_signal_notifier.preferences.pages.table import subscription_label
    from tests.testapp.models import Article

    def label(verb: str, model: Any = Article) -> str:
        content_type = ContentType.objects.get_for_model(model) if model else None
        trigger = SimpleNamespace(name="", verb=verb, action_object_content_type=content_type)
        return subscription_label(SimpleNamespace(name="", trigger=trigger))

    with translation.override("es"):
        assert label("post_save") == "Article: guardado"
        assert label("post_delete") == "Article: eliminado"
        assert label("user_logged_in", None) == "Inicio de sesión"
    with translation.override("en"):
        assert label("post_save") == "Article saved"
        assert label("user_logged_in", None) == "Signed in"
