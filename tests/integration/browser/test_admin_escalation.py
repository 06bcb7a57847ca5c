"""In the admin, an administrator turns a subscription into an escalation: a delayed email, only if unread."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from django_signal_notifier.models import Backend, Subscription, Trigger
from django_signal_notifier.quickstart import models as quickstart
from tests.integration.browser.test_admin_trigger import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]


def test_an_escalation_is_configured_on_the_subscription_page_and_shown_on_the_triggers(
    live_server: Any, new_page: Any, screenshot: Any
) -> None:
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "admin-password")
    trigger = Trigger.objects.create(
        name="Model saved",
        verb="post_save",
        action_object_content_type=ContentType.objects.get_for_model(quickstart.TestModel1),
    )
    inbox = Backend.objects.create(name="Inbox", key="inbox", messenger="InSiteMessenger")
    email = Backend.objects.create(name="Email", key="email", messenger="EmailMessenger")
    subscription = Subscription.objects.create(name="To the admin", trigger=trigger)
    subscription.backends.set([inbox, email])
    subscription.receiver_users.set([admin])
    page = new_page()
    base = live_server.url
    admin_login(page, base)

    page.goto(f"{base}/admin/django_signal_notifier/subscription/{subscription.pk}/change/")
    page.fill("#id_steps", '{"email": {"delay": 3600, "only_if_unread": tru}}')
    page.click("input[name=_save]")
    page.wait_for_selector(".errorlist")  # malformed JSON: said, nothing saved
    assert Subscription.objects.get().steps in (None, {}, "")

    page.fill("#id_steps", '{"email": {"delay": 3600, "only_if_unread": true}}')
    screenshot(page, "1-escalation-step")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Subscription.objects.get().steps == {"email": {"delay": 3600, "only_if_unread": True}}

    page.goto(f"{base}/admin/django_signal_notifier/trigger/{trigger.pk}/change/")
    steps = page.locator(".dsn-workflow").inner_text()
    screenshot(page, "2-trigger-steps")
    assert "Inbox — at once" in steps
    assert "Email — 1 h after the event, only if the in-site notification is unread" in steps
