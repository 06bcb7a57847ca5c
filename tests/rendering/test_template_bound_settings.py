"""The stored-template settings are checked at start-up: bounds are positive numbers, public fields a list."""

from __future__ import annotations

from typing import Any

import pytest

from django_signal_notifier.checks.stored_templates import check_template_settings


def _ids(settings: Any, **values: Any) -> list[str]:
    settings.SIGNAL_NOTIFIER = values
    return [message.id for message in check_template_settings()]


def test_the_defaults_pass(settings: Any) -> None:
    assert _ids(settings) == []


@pytest.mark.parametrize(
    "values",
    [
        {"TEMPLATE_MAX_OUTPUT": 0},
        {"TEMPLATE_MAX_OUTPUT": 1.5},
        {"TEMPLATE_MAX_STEPS": "many"},
        {"TEMPLATE_MAX_STEPS": True},
        {"TEMPLATE_MAX_SECONDS": -1},
    ],
)
def test_a_bound_that_is_not_a_positive_number_is_an_error(settings: Any, values: dict[str, Any]) -> None:
    assert _ids(settings, **values) == ["signal_notifier.E070"]


def test_seconds_may_be_a_fraction(settings: Any) -> None:
    assert _ids(settings, TEMPLATE_MAX_SECONDS=0.5, TEMPLATE_MAX_OUTPUT=10) == []


def test_public_fields_must_be_a_list_of_names(settings: Any) -> None:
    assert _ids(settings, USER_PUBLIC_FIELDS="username") == ["signal_notifier.E071"]
    assert _ids(settings, USER_PUBLIC_FIELDS=["username", 3]) == ["signal_notifier.E071"]
    assert _ids(settings, USER_PUBLIC_FIELDS=["username"]) == []
