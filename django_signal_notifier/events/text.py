"""Text that every database can store: no NUL, no lone surrogate, and a bounded length.

PostgreSQL refuses NUL in text and jsonb, and a lone surrogate (``"\\udcff"``, as
``surrogateescape``-decoded file names carry) cannot be encoded as UTF-8 by any driver: one such
character in a signal's data would lose the whole event. Both become U+FFFD, once, where text
enters the package (the snapshot, ``notify()``'s inputs, the rows written per recipient).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from django_signal_notifier.conf import app_settings

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with NUL and surrogate code points replaced by U+FFFD (a no-op copy-free path when clean)."""
    return _UNSTORABLE.sub("\ufffd", text)


def truncated(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with a marker that says how long it was."""
    if len(text) <= limit:
        return text
    marker = "… " + _("[truncated, %(length)s characters]") % {"length": f"{len(text):,}"}
    return text[: max(0, limit - len(marker))] + marker


def stored_text(value: Any) -> Any:
    """A rendered text part as stored on each recipient's row: storable and capped at ``MAX_STORED_TEXT``.

    Anything that is not a string is returned as it is.
    """
    if not isinstance(value, str):
        return value
    limit = app_settings.MAX_STORED_TEXT
    text = storable(value)
    return text if limit is None else truncated(text, int(limit))
