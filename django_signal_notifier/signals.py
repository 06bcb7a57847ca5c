"""The package's own signals, sent after each delivery attempt.

``notification_sent(sender=messenger class, delivery=Delivery)`` and
``notification_failed(sender=messenger class, delivery=Delivery, error=str, final=bool)``.
"""

from django.dispatch import Signal

notification_sent = Signal()
notification_failed = Signal()
