"""The preferences page's "when" part: time zone, quiet hours and digest frequency (the user's Profile)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from django_signal_notifier.models import Profile


def time_zone_choices() -> list[tuple[str, Any]]:
    """Every IANA time zone, the empty choice first (the site's)."""
    return [("", _("The site's time zone")), *((name, name) for name in sorted(zoneinfo.available_timezones()))]


class DeliveryTimesForm(forms.ModelForm):  # type: ignore[type-arg]
    """When the signed-in user wants their notifications."""

    class Meta:
        model = Profile
        fields = ["digest_frequency", "time_zone", "quiet_hours_start", "quiet_hours_end"]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(choices=time_zone_choices())
        self.fields["digest_frequency"].help_text = _(
            "A digest gathers your notifications into one message per hour, day or week. "
            "Urgent and required notifications always come at once."
        )
        self.fields["quiet_hours_start"].help_text = _(
            "Non-urgent notifications due in your quiet hours wait until they end. Leave both empty for none."
        )


def profile_of(user: Any) -> Profile:
    """The user's Profile, unsaved when they have none yet."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)
