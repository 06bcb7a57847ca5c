"""The package's own signals. Public: sent after each delivery attempt, and when inbox rows are read or archived.

``notification_sent(sender=messenger class, delivery=Delivery)`` and
``notification_failed(sender=messenger class, delivery=Delivery, error=str, final=bool)``;
``notification_read`` and ``notification_archived(sender=Notification, notification_ids=list,
user_ids=list, using=alias)``, after the rows changed (only rows that were unread, or not archived).
"""

from django.dispatch import Signal

notification_sent = Signal()
notification_failed = Signal()
notification_read = Signal()
notification_archived = Signal()

# Internal: the models sit below the stages, so they announce changes and the stages listen.
# ``configuration_changed(sender=model, using=alias)``: a trigger, subscription, backend or stored
# template was written. ``inbox_changed(sender=Notification, user_ids=list | None, using=alias)``:
# inbox rows were written (None: rows of many users); optionally ``change`` (the values a queryset
# write set), ``notification_ids`` (the rows, when known) and ``event_id`` (new rows of that event).
configuration_changed = Signal()
inbox_changed = Signal()
