"""Data protection: export what the package holds about a user, and erase it.

``export_user_data(user)`` gathers the user's inbox, the messages sent to them and their
preferences as JSON-safe data. ``erase_user_data(user)`` deletes those rows and scrubs what other
rows say about the user: the events that name them (as actor, object or target) keep their
structure but lose the user's fields, and the stored messages of those events lose the user's
names. It runs by itself when a user is deleted (``ERASE_ON_USER_DELETE``).
"""

from django_signal_notifier.privacy.erase import erase_user_data
from django_signal_notifier.privacy.export import export_user_data

__all__ = ["erase_user_data", "export_user_data"]
