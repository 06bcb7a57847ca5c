"""The admin pages of issue 18, in a real browser: what an administrator sees, with screenshots.

The index in the order things are set up, a trigger's activity (counts and recent failures), the
backend form's per-messenger options, the conditions builder, a row declared in code, and the
delivery and event logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_signal_notifier import declare
from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Event, Trigger
from tests.integration.browser.conftest import wait_for
from tests.support.recording import DurableRecordingMessenger
from tests.testapp.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def declarations(d: declare.Declarer) -> None:
    article = d.trigger("article-saved", verb="post_save", model="testapp.Article", name="An article was saved")
    mail = d.backend("mail", messenger="EmailMessenger", name="Email", options={"from_email": "news@example.test"})
    flaky = d.backend("flaky", messenger="DurableRecordingMessenger", name="Flaky channel", options={"permanent": True})
    d.subscription("article-to-readers", trigger=article, backends=[mail, flaky], users=["ada", "grace"])


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    """Two readers, the configuration declared in code, one article saved: a sent email and a dead delivery each."""
    user_model = get_user_model()
    user_model.objects.create_superuser("admin", "admin@example.test", "admin-password")
    user_model.objects.create_user("ada", email="ada@example.test")
    user_model.objects.create_user("grace", email="grace@example.test")
    DurableRecordingMessenger.attempts.clear()
    declare.on_sync(declarations)
    try:
        declare.sync()
        Article.objects.create(title="Hello, readers")
        wait_for(lambda: Delivery.objects.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.DEAD]).count() == 4)
        yield live_server.url
    finally:
        declare._hooks.remove(declarations)


def signed_in(new_page: Any, base: str) -> Any:
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def test_index_lists_and_trigger_activity(site: str, new_page: Any, screenshot: Any) -> None:
    page = signed_in(new_page, site)
    models = page.locator("#content-main .app-django_signal_notifier th[scope=row]").all_inner_texts()
    assert models[:4] == ["Dashboard", "Triggers", "Backends", "Subscriptions"]
    screenshot(page, "1-index")

    page.goto(f"{site}/admin/django_signal_notifier/trigger/")
    header = page.locator("#result_list thead").inner_text()
    assert header.index("ENABLED") < header.index("PROBLEMS") < header.index("SIGNAL")
    screenshot(page, "2-trigger-list")

    trigger = Trigger.objects.get(key="article-saved")
    page.goto(f"{site}/admin/django_signal_notifier/trigger/{trigger.pk}/change/")
    assert "Declared in code" in page.inner_text(".dsn-declared")
    assert page.locator("select#id_verb").count() == 0  # declared: read-only
    counts = page.inner_text(".dsn-delivery-counts")
    assert "sent: 2" in counts and "dead (gave up): 2" in counts
    failures = page.inner_text(".dsn-failures")
    assert "no such mailbox: ada" in failures and "no such mailbox: grace" in failures
    screenshot(page, "3-trigger-change")


def test_backend_form_shows_the_chosen_messengers_options(site: str, new_page: Any, screenshot: Any) -> None:
    page = signed_in(new_page, site)
    page.goto(f"{site}/admin/django_signal_notifier/backend/add/")
    assert page.locator("#id_messenger").input_value() == ""
    assert page.locator("fieldset.dsn-messenger-options:visible").count() == 0
    page.select_option("#id_messenger", "SlackMessenger")
    assert page.locator("fieldset.dsn-messenger-options:visible").count() == 1
    assert page.is_visible("#id_option__SlackMessenger__webhook_url")
    assert not page.is_visible("#id_option__WebhookMessenger__url")
    page.fill("#id_name", "Team channel")
    screenshot(page, "1-slack-options")
    page.click("input[name=_save]")
    page.wait_for_selector(".errornote")
    assert "Missing option 'webhook_url' or 'channel'" in page.inner_text(".dsn-options-for-SlackMessenger")
    assert not Backend.objects.filter(name="Team channel").exists()
    screenshot(page, "2-slack-refused")
    page.fill("#id_option__SlackMessenger__webhook_url", "https://hooks.slack.com/services/T0/B0/secret")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Backend.objects.get(name="Team channel").options == {
        "webhook_url": "https://hooks.slack.com/services/T0/B0/secret"
    }


def test_trigger_conditions_and_subscription_forms(site: str, new_page: Any, screenshot: Any) -> None:
    page = signed_in(new_page, site)
    page.goto(f"{site}/admin/django_signal_notifier/trigger/add/")
    page.fill("#id_name", "Published articles")
    page.select_option("#id_verb", "post_save")
    page.select_option("#id_action_object_content_type", label="Testapp | article")
    page.fill("input[name=conditions-0-field]", "status")
    page.select_option("select[name=conditions-0-op]", "changed_to")
    page.fill("input[name=conditions-0-value]", "published")
    suggestions = page.locator("#id_conditions-fields option").evaluate_all("options => options.map(o => o.value)")
    assert "status" in suggestions and "title" in suggestions
    screenshot(page, "1-trigger-conditions")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .warning")  # saved, but: no enabled subscription
    trigger = Trigger.objects.get(name="Published articles")
    assert trigger.conditions == [{"field": "status", "op": "changed_to", "value": "published"}]

    page.goto(f"{site}/admin/django_signal_notifier/subscription/add/?trigger={trigger.pk}")
    page.fill("#id_name", "Published articles to the editors")
    page.select_option("#id_backends_from", str(Backend.objects.get(key="mail").pk))
    page.click("#id_backends_add")
    screenshot(page, "2-subscription-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .warning")
    assert "no receivers" in page.inner_text(".messagelist")
    screenshot(page, "3-subscription-saved-with-warning")


def test_delivery_and_event_rows_read_as_a_log(site: str, new_page: Any, screenshot: Any) -> None:
    page = signed_in(new_page, site)
    page.goto(f"{site}/admin/django_signal_notifier/delivery/")
    assert "ada@example.test" in page.inner_text("#result_list")
    screenshot(page, "1-delivery-list")

    sent = Delivery.objects.get(recipient__username="ada", status=DeliveryStatus.SENT)
    page.goto(f"{site}/admin/django_signal_notifier/delivery/{sent.pk}/change/")
    text = page.inner_text("#content")
    assert f"#{sent.pk} EmailMessenger → ada (sent)" in text and "ada@example.test" in text
    assert "Claim token" not in text and page.locator("input[name=_save]").count() == 0
    screenshot(page, "2-delivery-sent")

    dead = Delivery.objects.get(recipient__username="ada", status=DeliveryStatus.DEAD)
    page.goto(f"{site}/admin/django_signal_notifier/delivery/{dead.pk}/change/")
    assert "no such mailbox: ada" in page.inner_text("#content")
    screenshot(page, "3-delivery-dead")

    event = Event.objects.get()
    page.goto(f"{site}/admin/django_signal_notifier/event/{event.pk}/change/")
    text = page.inner_text("#content")
    assert "Hello, readers" in text and "An article was saved" in text
    assert page.locator("input[name=_save]").count() == 0
    screenshot(page, "4-event")
