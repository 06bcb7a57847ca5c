"""One validation of trigger conditions for every way in: admin, clean(), declare() and the index."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import override_settings

from django_signal_notifier import declare
from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.exceptions import ConfigurationError
from django_signal_notifier.models import Notification, Trigger
from tests.support.whomwhat import configure
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db

NAIVE = {"field": "last_login", "op": "eq", "value": "2026-01-01T09:00:00"}
AWARE = {"field": "last_login", "op": "eq", "value": "2026-01-01T09:00:00+00:00"}


def user_trigger(conditions: Any) -> Trigger:
    trigger = Trigger(verb="post_save", action_object_content_type=ContentType.objects.get_for_model(User))
    trigger.conditions = conditions
    return trigger


def test_a_naive_datetime_is_refused_by_clean_and_declare() -> None:
    with pytest.raises(ValidationError) as caught:
        user_trigger([NAIVE]).full_clean()
    message = caught.value.message_dict["conditions"][0]
    assert "has no time zone" in message and "add one, e.g. 2026-01-01T09:00:00+00:00" in message
    with pytest.raises(ConfigurationError, match="has no time zone"):
        declare.trigger("naive-login", verb="post_save", model=User, conditions=[NAIVE])
    user_trigger([AWARE]).full_clean()  # an aware datetime is fine


@override_settings(USE_TZ=False)
def test_an_aware_datetime_is_refused_without_time_zones() -> None:
    with pytest.raises(ValidationError) as caught:
        user_trigger([AWARE]).full_clean()
    assert "USE_TZ is off" in caught.value.message_dict["conditions"][0]


def test_the_admin_refuses_a_naive_datetime(admin_client: Any) -> None:
    response = admin_client.post(
        "/admin/django_signal_notifier/trigger/add/",
        {
            "verb": "post_save",
            "action_object_content_type": ContentType.objects.get_for_model(User).pk,
            "conditions-rows": "1",
            **{"conditions-0-field": "last_login", "conditions-0-op": "eq", "conditions-0-value": "2026-01-01 09:00"},
            "enabled": "on",
            "subscriptions-TOTAL_FORMS": "0",
            "subscriptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "has no time zone" in response.content.decode()
    assert not Trigger.objects.exists()


def test_an_aware_datetime_condition_matches(run_on_commit: Any) -> None:
    reader = User.objects.create_user("reader")
    configure(User, conditions=[AWARE], users=[reader])
    with run_on_commit():
        User.objects.create_user("early", last_login=datetime.datetime(2026, 1, 1, 8, tzinfo=datetime.UTC))
        User.objects.create_user("on-time", last_login=datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC))
    assert list(Notification.objects.values_list("action_object_text", flat=True)) == ["on-time"]


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"op": "created"}, "Conditions must be a list of objects."),
        ([{"op": "callable", "value": "sys.exit"}], "registered as 'sys.exit'"),
        ("created", "Conditions must be a list of objects."),
    ],
)
def test_the_index_refuses_what_the_admin_refuses(run_on_commit: Any, stored: Any, expected: str) -> None:
    reader = User.objects.create_user("reader")
    trigger, _, _ = configure(Article, users=[reader])
    Trigger.objects.filter(pk=trigger.pk).update(conditions=stored)  # e.g. a data migration or a fixture
    with pytest.raises(ValidationError) as caught:
        Trigger.objects.get(pk=trigger.pk).full_clean()
    admin_message = caught.value.message_dict["conditions"][0]
    with run_on_commit():
        Article.objects.create(title="A")  # never raises, and the trigger is left out
    assert Notification.objects.count() == 0
    assert trigger_index.specs([trigger.pk]) == []
    [problem] = [p for p in trigger_index.problems if f"Trigger {trigger.pk} " in p]
    assert admin_message in problem and expected in problem and "left out" in problem
