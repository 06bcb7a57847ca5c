"""Steps and the cancelling trigger are edited in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from django_signal_notifier.models import Trigger
from tests.admin.test_admin_config import staff, trigger_form  # noqa: F401
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db


def test_a_trigger_that_cancels_pending_steps_is_created_in_the_admin(client, staff):  # noqa: F811
    response = client.post(
        reverse("admin:django_signal_notifier_trigger_add"), trigger_form(verb="post_delete", cancels_pending="on")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Trigger.objects.get().cancels_pending is True


def test_the_subscription_page_edits_its_steps_and_says_what_is_wrong_with_them(client, staff):  # noqa: F811
    subscription = subscribe("post_save", Article, users=[user("alice")])
    subscription.steps = {"nobody": {"delay": 60}}
    subscription.save()
    page = client.get(
        reverse("admin:django_signal_notifier_subscription_change", args=[subscription.pk])
    ).content.decode()
    assert 'name="steps"' in page
    listing = client.get(reverse("admin:django_signal_notifier_subscription_changelist")).content.decode()
    assert "names none of the subscription" in listing  # the problems column shows W032
