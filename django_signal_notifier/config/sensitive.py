"""Sensitive models: rows whose fields are credentials or security records, never notification senders.

A trigger on Django's ``Session`` would put session keys into Event snapshots and templates; an
API token's key, the admin log or the permission table are no better. Such a model is a sender
only when ``SIGNAL_NOTIFIER["ALLOWED_SENSITIVE_MODELS"]`` names it ("app_label.Model"); otherwise
the trigger index leaves its triggers out and no any-sender trigger fires for it, and
:func:`django_signal_notifier.config.problems.sensitive_model_problem` says so (a Warning).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from django_signal_notifier.conf import app_settings

# Labels, lower case ("app_label.modelname"), of the models known to hold credentials or security records.
SENSITIVE_LABELS = frozenset(
    {
        "sessions.session",
        "admin.logentry",
        "auth.permission",
        "django_signal_notifier.apitoken",
        "authtoken.token",
        "authtoken.tokenproxy",
        "knox.authtoken",
        "oauth2_provider.accesstoken",
        "oauth2_provider.refreshtoken",
        "oauth2_provider.grant",
        "oauth2_provider.idtoken",
        "oauth2_provider.application",
        "token_blacklist.outstandingtoken",
        "token_blacklist.blacklistedtoken",
        "otp_totp.totpdevice",
        "otp_static.statictoken",
        "otp_static.staticdevice",
        "account.emailconfirmation",
        "socialaccount.socialtoken",
        "socialaccount.socialapp",
    }
)
# Every model built on one of these (a custom session model) is sensitive too.
_SENSITIVE_BASES = frozenset({"django.contrib.sessions.base_session.AbstractBaseSession"})


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def is_sensitive(model: Any) -> bool:
    """Whether ``model`` holds credentials or security records (whatever the setting says)."""
    meta = getattr(model, "_meta", None)
    if meta is None:
        return False
    if meta.label_lower in SENSITIVE_LABELS:
        return True
    return any(_dotted(base) in _SENSITIVE_BASES for base in getattr(model, "__mro__", ()))


def allowed_labels() -> set[str]:
    """``ALLOWED_SENSITIVE_MODELS``, lower-cased ("sessions.session")."""
    return {str(label).lower() for label in app_settings.ALLOWED_SENSITIVE_MODELS or ()}


def is_refused_sender(model: Any) -> bool:
    """Whether ``model`` is sensitive and not opted in by ``ALLOWED_SENSITIVE_MODELS``."""
    return is_sensitive(model) and model._meta.label_lower not in allowed_labels()


def refused_senders() -> list[Any]:
    """The installed models that may not be senders (sensitive, not opted in)."""
    return [model for model in apps.get_models(include_auto_created=True) if is_refused_sender(model)]
