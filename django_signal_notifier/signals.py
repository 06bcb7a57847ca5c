"""The package's own signals. Public: sent after each delivery attempt.

``notification_sent(sender=messenger class, delivery=Delivery)`` and
``notification_failed(sender=messenger class, delivery=Delivery, error=str, final=bool)``.
"""

from django.dispatch import Signal

notification_sent = Signal()
notification_failed = Signal()

# Internal: the models sit below the stages, so they announce changes and the stages listen.
# ``configuration_changed(sender=model, using=alias)``: a trigger, subscription, backend or stored
# template was written. ``inbox_changed(sender=Notification, user_ids=list | None, using=alias)``:
# inbox rows were written (None: rows of many users).
configuration_changed = Signal()
inbox_changed = Signal()
