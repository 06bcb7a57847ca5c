"""Admin views need the right permissions: staff without the model permissions get 403, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from django_signal_notifier.models import Notification, Trigger
from tests.support.factories import subscribe
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

MODELS = sorted(
    model._meta.model_name
    for model in apps.get_app_config("django_signal_notifier").get_models()
    if model in admin.site._registry
)


@pytest.fixture
def staff(django_capture_on_commit_callbacks: Any) -> Client:
    User = get_user_model()
    reader = User.objects.create_user("reader", "r@example.org", "pw")
    subscribe("post_save", Article, users=[reader], messenger="InSiteMessenger")
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="admin permissions")
    clerk = User.objects.create_user("clerk", "c@example.org", "pw", is_staff=True)
    client = Client()
    client.force_login(clerk)
    return client


def test_the_package_registers_its_models_in_the_admin():
    assert {"trigger", "backend", "subscription", "delivery", "event", "notification"} <= set(MODELS)


@pytest.mark.parametrize("model", MODELS)
def test_staff_without_permissions_get_403_on_every_changelist(staff, model):
    assert staff.get(f"/admin/django_signal_notifier/{model}/").status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_staff_without_permissions_get_403_on_add_and_change_pages(staff, model):
    Model = apps.get_model("django_signal_notifier", model)
    assert staff.get(f"/admin/django_signal_notifier/{model}/add/").status_code == 403
    obj = Model.objects.first()
    if obj is not None:
        assert staff.get(f"/admin/django_signal_notifier/{model}/{obj.pk}/change/").status_code == 403
        assert staff.post(f"/admin/django_signal_notifier/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        assert Model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(
    ("model", "action", "check"),
    [
        ("trigger", "disable", lambda: Trigger.objects.filter(enabled=True).count() == 1),
        ("notification", "mark_read", lambda: Notification.objects.filter(unread=True).count() == 1),
        ("notification", "archive", lambda: Notification.objects.filter(archived=False).count() == 1),
    ],
)
def test_staff_without_permissions_cannot_run_actions(staff, model, action, check):
    Model = apps.get_model("django_signal_notifier", model)
    ids = [str(pk) for pk in Model.objects.values_list("pk", flat=True)]
    response = staff.post(f"/admin/django_signal_notifier/{model}/", {"action": action, "_selected_action": ids})
    assert response.status_code == 403
    assert check()


@pytest.mark.parametrize(
    ("model", "action"),
    [("trigger", "disable"), ("subscription", "disable"), ("notification", "mark_read"), ("notification", "archive")],
)
def test_view_only_staff_cannot_run_change_actions(staff, model, action):
    clerk = get_user_model().objects.get(username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename=f"view_{model}"))
    Model = apps.get_model("django_signal_notifier", model)
    before = list(Model.objects.values())
    ids = [str(pk) for pk in Model.objects.values_list("pk", flat=True)]
    assert staff.get(f"/admin/django_signal_notifier/{model}/").status_code == 200
    staff.post(f"/admin/django_signal_notifier/{model}/", {"action": action, "_selected_action": ids})
    assert list(Model.objects.values()) == before


def test_view_permission_shows_but_does_not_change(staff):
    clerk = get_user_model().objects.get(username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="view_notification"))
    ids = [str(pk) for pk in Notification.objects.values_list("pk", flat=True)]
    assert staff.get("/admin/django_signal_notifier/notification/").status_code == 200
    staff.post("/admin/django_signal_notifier/notification/", {"action": "mark_read", "_selected_action": ids})
    assert Notification.objects.filter(unread=True).count() == 1  # a view-only user runs no change action
    notification = Notification.objects.get()
    response = staff.post(f"/admin/django_signal_notifier/notification/{notification.pk}/change/", {"unread": ""})
    assert response.status_code == 403
