"""The live objects of the events this process sent, for as long as they are likely to be asked for.

0.2.1 called its messengers inside the signal, with the signal's own objects. With the immediate
task backend this process still sends right after the fan-out, so a 0.2.1 messenger gets those same
live objects (an unsaved instance in ``pre_save``, the exact kwargs); a worker elsewhere rebuilds
them from the Event row. Only the latest events are kept: memory stays bounded.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import OrderedDict
from threading import Lock
from typing import Any

_KEPT = 256
_events: OrderedDict[int, Any] = OrderedDict()
_lock = Lock()


def remember(event_id: int, event: Any) -> None:
    """Keep ``event`` (a SignalEvent) as the live form of the Event row ``event_id``.

    A deleted instance is kept as it was when the signal came: ``delete()`` then sets its key to None.
    """
    if event.verb in ("pre_delete", "post_delete") and getattr(event.instance, "pk", None) is not None:
        as_sent = copy.copy(event.instance)
        kwargs = {k: (as_sent if v is event.instance else v) for k, v in event.kwargs.items()}
        event = dataclasses.replace(event, instance=as_sent, kwargs=kwargs)
    with _lock:
        _events[event_id] = event
        _events.move_to_end(event_id)
        while len(_events) > _KEPT:
            _events.popitem(last=False)


def recall(event_id: int) -> Any:
    """The live SignalEvent of ``event_id`` when this process sent it recently, else None."""
    with _lock:
        return _events.get(event_id)
