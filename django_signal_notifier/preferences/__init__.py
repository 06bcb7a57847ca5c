"""Per-user preferences: the rules (:mod:`.rules`) and the preferences page (:mod:`.pages`).

``from django_signal_notifier.preferences import set_preference, clear_preference`` is the
documented way in.
"""

from django_signal_notifier.preferences.rules import clear_preference, opted_out, set_preference, unsubscribe

__all__ = ["clear_preference", "opted_out", "set_preference", "unsubscribe"]
