"""In the admin, an administrator configures a trigger, a backend and a subscription, then sees it fire."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_signal_notifier.models import Backend, Delivery, DeliveryStatus, Subscription, Trigger
from django_signal_notifier.quickstart import models as quickstart
from tests.integration.browser.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("demo.urls")]


def admin_login(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_trigger_created_in_the_admin_fires(live_server: Any, new_page: Any, screenshot: Any, capfd: Any) -> None:
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "admin-password")
    page = new_page()
    base = live_server.url
    admin_login(page, base)
    screenshot(page, "1-admin-index")

    # When: post_save of the quickstart's TestModel1.
    page.goto(f"{base}/admin/django_signal_notifier/trigger/add/")
    page.fill("#id_name", "TestModel1 saved")
    page.select_option("#id_verb", "post_save")
    page.select_option("#id_action_object_content_type", label="Signal notifier quickstart | test model1")
    screenshot(page, "2-trigger-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    trigger = Trigger.objects.get(name="TestModel1 saved")

    # What and how: the quickstart's print messenger and template.
    page.goto(f"{base}/admin/django_signal_notifier/backend/add/")
    page.fill("#id_name", "Print for the quickstart")
    page.select_option("#id_messenger", "SimplePrintMessengerTemplateBased")
    page.select_option("#id_message_template", "SimplePrintMessageTemplate")
    screenshot(page, "3-backend-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    backend = Backend.objects.get(name="Print for the quickstart")

    # Whom: the admin, through the subscription form's two-box selectors.
    page.goto(f"{base}/admin/django_signal_notifier/subscription/add/")
    page.fill("#id_name", "Quickstart to admin")
    page.select_option("#id_trigger", str(trigger.pk))
    page.select_option("#id_backends_from", str(backend.pk))
    page.click("#id_backends_add")
    page.select_option("#id_receiver_users_from", str(admin.pk))
    page.click("#id_receiver_users_add")
    screenshot(page, "4-subscription-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    subscription = Subscription.objects.get(name="Quickstart to admin")
    assert list(subscription.backends.all()) == [backend]
    assert list(subscription.receiver_users.all()) == [admin]

    # It fires: saving a TestModel1 in the admin prints the message for the admin.
    capfd.readouterr()
    page.goto(f"{base}/admin/signal_notifier_quickstart/testmodel1/add/")
    page.fill("#id_name", "made-in-the-browser")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    delivery = wait_for(lambda: Delivery.objects.filter(trigger=trigger, status=DeliveryStatus.SENT).first())
    assert delivery.recipient_id == admin.pk
    assert quickstart.TestModel1.objects.filter(name="made-in-the-browser").exists()
    printed = capfd.readouterr().out
    assert "post_save on test model1 “made-in-the-browser” for admin" in printed

    page.goto(f"{base}/admin/django_signal_notifier/delivery/")
    page.wait_for_selector("#result_list")
    assert "SimplePrintMessengerTemplateBased" in page.inner_text("#result_list")
    screenshot(page, "5-delivery-log")
