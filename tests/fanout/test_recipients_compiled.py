"""The recipient query is compiled once and reused: each subscription still gets its own receivers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_signal_notifier.config.specs import SubscriptionSpec
from django_signal_notifier.fanout.recipients import resolve_recipient_ids
from django_signal_notifier.models import Subscription, Trigger

pytestmark = pytest.mark.django_db


def spec(subscription: Subscription) -> SubscriptionSpec:
    return SubscriptionSpec(id=subscription.pk, name=str(subscription), backends=())


def test_each_subscription_gets_its_own_users_groups_and_only_active_users() -> None:
    users = get_user_model().objects
    alice, bob, carol, dave = (users.create(username=n) for n in ("alice", "bob", "carol", "dave"))
    dave.is_active = False
    dave.save()
    staff = Group.objects.create(name="staff")
    staff.user_set.add(bob, dave)
    trigger = Trigger.objects.create(verb="post_save")
    first = Subscription.objects.create(trigger=trigger)
    first.receiver_users.add(alice, bob)
    first.receiver_groups.add(staff)
    second = Subscription.objects.create(trigger=trigger)
    second.receiver_users.add(carol)

    assert resolve_recipient_ids(spec(first), None) == [alice.pk, bob.pk]  # once each; dave is inactive
    with CaptureQueriesContext(connection) as captured:
        assert resolve_recipient_ids(spec(second), None) == [carol.pk]
    assert len(captured.captured_queries) == 1
    assert resolve_recipient_ids(spec(first), None) == [alice.pk, bob.pk]
