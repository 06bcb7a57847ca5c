"""Mobile push: FCM (Android, iOS through Firebase) and APNs, to the devices django-push-notifications registered.

``pip install django-signal-notifier[mobilepush]`` installs django-push-notifications with
firebase-admin; APNs also needs aioapns (``django-push-notifications[apns-async]``). The devices
are that package's ``GCMDevice`` (``cloud_message_type="FCM"``) and ``APNSDevice`` rows of the
recipient, active ones only; its ``PUSH_NOTIFICATIONS_SETTINGS`` say which Firebase app and which
APNs key send. It marks a device inactive when the service says the token is unregistered; this
messenger reads the outcome per device.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ValidationError

from django_signal_notifier.exceptions import PermanentDeliveryError, SkipDelivery, TransientDeliveryError
from django_signal_notifier.messengers.base import Message, Messenger
from django_signal_notifier.messengers.checks import channel_in_use, check_optional_package
from django_signal_notifier.messengers.options import CHOICE, Option
from django_signal_notifier.messengers.registry import messenger_registry

PLATFORMS = ("all", "fcm", "apns")
# FCM error codes (firebase_admin's FirebaseError.code) worth retrying; the others are permanent.
FCM_TRANSIENT_CODES = frozenset({"UNAVAILABLE", "INTERNAL", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "UNKNOWN"})
# APNs reasons (https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns).
APNS_GONE_REASONS = frozenset({"Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic"})
APNS_TRANSIENT_REASONS = frozenset({"TooManyRequests", "InternalServerError", "ServiceUnavailable", "Shutdown"})


def device_model(name: str) -> Any:
    """django-push-notifications' ``GCMDevice`` or ``APNSDevice`` (LookupError when the app is not installed)."""
    return apps.get_model("push_notifications", name)


class Outcome:
    """What the devices of one message answered: accepted, gone (unregistered), or refused."""

    def __init__(self) -> None:
        self.accepted = 0
        self.gone = 0
        self.transient: list[str] = []
        self.refused: list[str] = []

    def conclude(self, user_id: Any) -> None:
        """Sent when one device accepted; else retried, skipped (all gone) or dead, with the reasons."""
        if self.accepted:
            return
        if self.transient:
            raise TransientDeliveryError("; ".join(self.transient))
        if self.refused:
            raise PermanentDeliveryError("; ".join(self.refused))
        raise SkipDelivery(f"every mobile device of user {user_id} is unregistered ({self.gone} marked inactive)")


@messenger_registry.register
class MobilePushMessenger(Messenger):
    """Sends each message to the recipient's active FCM and APNs devices (option ``platform``: all, fcm, apns)."""

    label = "Mobile push (FCM, APNs)"
    requires: ClassVar[tuple[str, ...]] = ("push_notifications",)
    option_fields: ClassVar[tuple[Option, ...]] = (
        Option(
            "platform",
            "Platform",
            "Which of the recipient's devices: all (default), FCM or APNs only.",
            kind=CHOICE,
            choices=(("all", "All"), ("fcm", "FCM (Firebase)"), ("apns", "APNs (Apple)")),
        ),
    )

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> None:
        super().validate_options(options)
        if options.get("platform") not in (None, "", *PLATFORMS):
            raise ValidationError(f"'platform' must be one of {', '.join(PLATFORMS)}.")

    @classmethod
    def check(cls) -> list[CheckMessage]:
        messages = check_optional_package(
            cls.channel_name(), "push_notifications", "mobilepush", "signal_notifier.E186"
        )
        if not messages and not apps.is_installed("push_notifications") and channel_in_use(cls.channel_name()):
            messages.append(
                Error(
                    "A backend uses MobilePushMessenger but 'push_notifications' is not in INSTALLED_APPS.",
                    hint="Add 'push_notifications' to INSTALLED_APPS and run migrate (its device tables).",
                    id="signal_notifier.E187",
                )
            )
        return messages

    def platforms(self) -> tuple[str, ...]:
        chosen = self.options.get("platform") or "all"
        return ("fcm", "apns") if chosen == "all" else (chosen,)

    def devices(self, user_id: Any) -> dict[str, Any]:
        """The recipient's active devices per platform, as querysets."""
        if not apps.is_installed("push_notifications"):
            raise PermanentDeliveryError("'push_notifications' is not in INSTALLED_APPS")
        found = {}
        if "fcm" in self.platforms():
            found["fcm"] = device_model("GCMDevice")._default_manager.filter(
                user_id=user_id, active=True, cloud_message_type="FCM"
            )
        if "apns" in self.platforms():
            found["apns"] = device_model("APNSDevice")._default_manager.filter(user_id=user_id, active=True)
        return found

    def get_address(self, user: Any) -> str | None:
        counts = {platform: rows.count() for platform, rows in self.devices(getattr(user, "pk", None)).items()}
        if not any(counts.values()):
            raise SkipDelivery(f"user {getattr(user, 'pk', '?')} has no active mobile device")
        return ", ".join(f"{count} {platform.upper()}" for platform, count in counts.items() if count)

    def send_message(self, message: Message) -> None:
        user_id = getattr(message.recipient, "pk", None)
        outcome = Outcome()
        devices = self.devices(user_id)
        if "fcm" in devices and devices["fcm"].exists():
            self.send_fcm(devices["fcm"], message, outcome)
        if "apns" in devices and devices["apns"].exists():
            self.send_apns(devices["apns"], message, outcome)
        if not (outcome.accepted or outcome.gone or outcome.transient or outcome.refused):
            raise SkipDelivery(f"user {user_id} has no active mobile device")
        outcome.conclude(user_id)

    def send_fcm(self, devices: Any, message: Message, outcome: Outcome) -> None:
        """Through ``GCMDevice.objects….send_message``: one FCM v1 request per device (firebase-admin)."""
        extra = {"url": message.url} if message.url else {}
        try:
            batch = devices.send_message(message.text or message.subject, title=message.subject, extra=extra)
        except ImportError:
            raise PermanentDeliveryError("FCM needs firebase-admin: pip install 'django-signal-notifier[mobilepush]'")
        except Exception as error:  # firebase-admin's errors for the whole call (credentials, app)
            code = str(getattr(error, "code", "") or "")
            text = f"FCM: {type(error).__name__}: {error}"
            (outcome.transient if code in FCM_TRANSIENT_CODES else outcome.refused).append(text)
            return
        for response in batch.responses:
            if response.success:
                outcome.accepted += 1
                continue
            refusal = response.exception
            code = str(getattr(refusal, "code", "") or "")
            if type(refusal).__name__ in ("UnregisteredError", "SenderIdMismatchError"):
                outcome.gone += 1
            elif code in FCM_TRANSIENT_CODES:
                outcome.transient.append(f"FCM {code}: {refusal}")
            else:
                outcome.refused.append(f"FCM {code or type(refusal).__name__}: {refusal}")

    def send_apns(self, devices: Any, message: Message, outcome: Outcome) -> None:
        """Through ``APNSDevice.objects….send_message`` (aioapns); it raises on any refused device."""
        alert: Any = {"title": message.subject, "body": message.text} if message.subject else message.text
        count = devices.count()
        try:
            devices.send_message(alert, extra={"url": message.url} if message.url else {})
        except ImportError:
            outcome.refused.append("APNs needs aioapns: pip install 'django-push-notifications[apns-async]'")
            return
        except Exception as error:  # APNSError names each refused device's reason
            reasons = [reason.strip() for reason in str(error).rpartition(":")[2].split(",") if reason.strip()]
            gone = [reason for reason in reasons if reason in APNS_GONE_REASONS]
            outcome.gone += len(gone)
            outcome.accepted += max(0, count - len(reasons))
            for reason in reasons:
                if reason in APNS_TRANSIENT_REASONS:
                    outcome.transient.append(f"APNs {reason}")
                elif reason not in APNS_GONE_REASONS:
                    outcome.refused.append(f"APNs {reason}")
            if not reasons:
                outcome.refused.append(f"APNs: {type(error).__name__}: {error}")
            return
        outcome.accepted += count
