"""Receivers are bound to the models that have a trigger: the others never reach the package."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.test import override_settings

from django_signal_notifier.config.index import trigger_index
from django_signal_notifier.intake import receivers
from django_signal_notifier.models import Trigger
from tests.support.factories import subscribe, user
from tests.testapp.models import Article, Quiet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_timer_mid_test(settings: Any) -> None:
    """Receiver lists are compared at given moments: the sentinels' timer must not arm meanwhile."""
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "CONFIG_CHECK_INTERVAL": 3600}


def package_receivers(signal: Signal, sender: Any) -> list[str]:
    """The names of the package's receivers that Django would call for ``sender``."""
    sync, _async = signal._live_receivers(sender)
    return sorted(r.__name__ for r in sync if r.__name__.startswith("signal_notifier_"))


def settle() -> None:
    """Bring the index up to date now, as the next send would."""
    trigger_index.refresh()


def test_only_models_with_a_trigger_reach_the_package() -> None:
    subscribe("post_save", Article, users=[user("alice")])
    settle()
    assert package_receivers(post_save, Article) == ["signal_notifier_receive_post_save"]
    assert package_receivers(post_save, Quiet) == []
    assert package_receivers(pre_save, Article) == []  # no pre_save trigger, no condition on the past
    assert package_receivers(post_delete, Article) == []


def test_a_model_is_unbound_when_its_last_trigger_goes(
    recorded: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    subscribe("post_save", Article, users=[user("alice")])
    settle()
    assert Article in receivers.bound_models("post_save")
    Trigger.objects.all().delete()
    settle()
    assert Article not in receivers.bound_models("post_save")
    assert package_receivers(post_save, Article) == []
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="after")
    assert recorded == []


def test_a_trigger_on_a_model_that_had_none_fires_at_its_first_save(
    recorded: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    settle()
    assert package_receivers(post_save, Quiet) == []
    subscribe("post_save", Quiet, users=[user("alice")])  # each write invalidates: the sentinels are armed
    assert "signal_notifier_sentinel_post_save" in package_receivers(post_save, Quiet)
    with django_capture_on_commit_callbacks(execute=True):
        Quiet.objects.create(name="first")  # the sentinel refreshes (binding Quiet if not yet bound)
    assert len(recorded) == 1
    assert package_receivers(post_save, Quiet) == ["signal_notifier_receive_post_save"]
    with django_capture_on_commit_callbacks(execute=True):
        Quiet.objects.create(name="second")
    assert len(recorded) == 2  # once each: the bound receiver and the sentinel never both dispatch


def test_a_trigger_for_any_model_listens_to_every_sender() -> None:
    subscribe("post_save", None, users=[user("alice")])
    settle()
    assert package_receivers(post_save, Quiet) == ["signal_notifier_receive_post_save"]
    assert package_receivers(post_save, Article) == ["signal_notifier_receive_post_save"]


def test_a_condition_on_previous_values_binds_pre_save_of_that_model() -> None:
    subscription = subscribe("post_save", Article, users=[user("alice")])
    Trigger.objects.filter(pk=subscription.trigger_id).update(conditions=[{"field": "title", "op": "changed"}])
    settle()
    assert package_receivers(pre_save, Article) == ["signal_notifier_receive_pre_save"]
    assert package_receivers(pre_save, Quiet) == []


@override_settings(SIGNAL_NOTIFIER={"CONFIG_CHECK_INTERVAL": 0.2})
def test_the_sentinels_are_armed_again_once_the_interval_has_passed() -> None:
    settle()
    assert package_receivers(post_save, Quiet) == []  # between two checks an unwatched save is free
    deadline = time.monotonic() + 5
    while not package_receivers(post_save, Quiet) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert package_receivers(post_save, Quiet) == ["signal_notifier_sentinel_post_save"]
    Quiet.objects.create(name="reads the version stamp once")
    assert package_receivers(post_save, Quiet) == []


def test_disconnect_all_then_connect_all_restores_the_bindings() -> None:
    subscribe("post_save", Article, users=[user("alice")])
    settle()
    receivers.disconnect_all()
    try:
        assert package_receivers(post_save, Article) == []
    finally:
        receivers.connect_all()
    assert package_receivers(post_save, Article) == ["signal_notifier_receive_post_save"]


def configured_elsewhere(verb: str) -> None:
    """A trigger on Quiet stored by another process: this one has not read the change yet."""
    trigger_index.suspended = True
    try:
        subscribe(verb, Quiet, users=[user("alice")])
        trigger_index._next_check = 0
        trigger_index.refresh()  # reads nothing while suspended: Quiet stays unbound
    finally:
        trigger_index.suspended = False
    assert Quiet not in receivers.bound_models(verb)


@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize("verb, signal", [("pre_save", pre_save), ("pre_delete", pre_delete)])
def test_the_first_send_after_another_process_added_a_trigger_is_handled_once(
    verb: str, signal: Signal, nested: bool, recorded: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Also when a project receiver that runs earlier saves another model (whose own send
    refreshes and rebinds before the sentinel of the outer send runs)."""
    obj = Quiet.objects.create(name="x") if verb == "pre_delete" else None
    configured_elsewhere(verb)

    def audit(sender: Any, **kwargs: Any) -> None:  # a project's receiver, connected before
        if nested:
            Article.objects.create(title="audit")

    signal.connect(audit, sender=Quiet, weak=False, dispatch_uid="test-binding-audit")
    try:
        trigger_index._next_check = 0  # the interval has passed: what the timer sees
        receivers.arm()
        with django_capture_on_commit_callbacks(execute=True):
            if obj is None:
                Quiet.objects.create(name="first")
            else:
                obj.delete()
        assert len(recorded) == 1
    finally:
        signal.disconnect(sender=Quiet, dispatch_uid="test-binding-audit")


@pytest.mark.parametrize("to_catch_all", [False, True])
def test_a_send_during_a_switch_between_catch_all_and_per_model_is_handled_once(
    to_catch_all: bool, recorded: list[Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    subscribe("post_save", Quiet, users=[user("alice")])
    anyone = subscribe("post_save", None, users=[user("bob")])
    if to_catch_all:
        Trigger.objects.filter(pk=anyone.trigger_id).update(enabled=False)
    settle()
    assert ("post_save" in receivers._catch_all) is not to_catch_all
    Trigger.objects.filter(pk=anyone.trigger_id).update(enabled=to_catch_all)
    original = Signal.disconnect
    sent: list[int] = []

    def disconnect(self: Signal, receiver: Any = None, sender: Any = None, dispatch_uid: Any = None) -> bool:
        switching = dispatch_uid in (receivers._uid("post_save"), receivers._uid("post_save", ":all"))
        if self is post_save and switching and not sent:  # another thread saves a Quiet mid-switch
            sent.append(1)
            with django_capture_on_commit_callbacks(execute=True):
                Quiet.objects.create(name="concurrent")
        return bool(original(self, receiver, sender, dispatch_uid))

    monkeypatch.setattr(Signal, "disconnect", disconnect)
    settle()
    assert sent
    assert ("post_save" in receivers._catch_all) is to_catch_all
    assert sorted(m.address for m in recorded) == (["alice", "bob"] if to_catch_all else ["alice"])
