"""Where a channel finds a user's address, and how addresses are shown in logs.

An *address source* (a setting such as ``TELEGRAM_CHAT_ID``) is one of:

* a field path on the user, with Django's ``__`` separator: ``"email"``, ``"profile__phone"``;
* a dotted path to a callable ``(user) -> str | None``: ``"myapp.notify.chat_id_for"``;
* a callable;
* a profile model: ``{"model": "accounts.Profile", "field": "phone", "user_field": "user"}``.

An empty value means the user has no address on the channel: the delivery is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils.module_loading import import_string

AddressSource = str | Callable[[Any], Any] | dict[str, str]


@lru_cache(maxsize=64)
def _import(path: str) -> Callable[[Any], Any]:
    function = import_string(path)
    if not callable(function):
        raise TypeError(f"{path} is not callable")
    return function  # type: ignore[no-any-return]


def resolve_address(user: Any, source: AddressSource | None) -> str | None:
    """The user's address from ``source``; None when the user has none."""
    if user is None or source is None or source == "":
        return None
    if callable(source):
        value = source(user)
    elif isinstance(source, dict):
        value = _from_profile(user, source)
    elif "." in source:
        value = _import(source)(user)
    else:
        value = _walk(user, source)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _walk(obj: Any, path: str) -> Any:
    for name in path.split("__"):
        try:
            obj = getattr(obj, name)
        except (ObjectDoesNotExist, AttributeError):
            return None
        if obj is None:
            return None
    return obj


def _from_profile(user: Any, source: dict[str, str]) -> Any:
    model = apps.get_model(source["model"])
    user_field = source.get("user_field", "user")
    row = model._default_manager.filter(**{user_field: user}).values_list(source["field"], flat=True).first()
    return row


def source_problem(source: Any) -> str | None:
    """What is wrong with an address source, or None (used by the system checks)."""
    if source is None or callable(source):
        return None
    if isinstance(source, dict):
        missing = {"model", "field"} - set(source)
        if missing:
            return f"a profile source needs the keys 'model' and 'field' (missing: {', '.join(sorted(missing))})"
        try:
            model = apps.get_model(source["model"])
        except (LookupError, ValueError):
            return f"no model {source['model']!r} (use 'app_label.ModelName')"
        names = {f.name for f in model._meta.get_fields()}
        for key in ("field", "user_field"):
            name = source.get(key, "user")
            if name not in names:
                return f"{source['model']} has no field {name!r}"
        return None
    if not isinstance(source, str) or not source:
        return f"expected a field path, a dotted path to a callable, a callable or a profile dict, not {source!r}"
    if "." in source:
        try:
            _import(source)
        except (ImportError, TypeError) as error:
            return f"cannot import the callable {source!r}: {error}"
        return None
    first = source.split("__")[0]
    user_model = get_user_model()
    known = {f.name for f in user_model._meta.get_fields()} | {
        getattr(f, "related_name", None) or "" for f in user_model._meta.get_fields()
    }
    if first not in known and not hasattr(user_model, first):
        return f"the user model {user_model._meta.label} has no field or attribute {first!r}"
    return None


_PHONE = re.compile(r"\+?\d[\d\s().-]{4,}\d")


def mask_phone(number: str) -> str:
    """``+15551234567`` → ``+1*******567``: enough to tell numbers apart, not to dial one."""
    digits = [c for c in number if c.isdigit()]
    if len(digits) <= 4:
        return "*" * len(digits)
    prefix = "+" if number.strip().startswith("+") else ""
    keep_head = 1 if prefix else 0
    return prefix + "".join(digits[:keep_head]) + "*" * (len(digits) - keep_head - 3) + "".join(digits[-3:])


def mask_phone_numbers(text: str) -> str:
    """``text`` with every phone-number-like run of digits masked."""
    return _PHONE.sub(lambda match: mask_phone(match.group(0)), text)
