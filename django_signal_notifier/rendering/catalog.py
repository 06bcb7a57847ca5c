"""Strings used inside the built-in template strings, listed so that ``makemessages`` finds them.

``makemessages`` reads ``{% translate %}`` only in template files; the built-in templates are
Python strings, so their messages are declared here (never evaluated).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext_lazy

BUILTIN_TEMPLATE_STRINGS = (
    gettext_lazy("in %(target)s"),
    ngettext_lazy("%(counter)s new notification", "%(counter)s new notifications", "counter"),
    ngettext_lazy(
        "%(counter)s new notification in the last %(period)s:",
        "%(counter)s new notifications in the last %(period)s:",
        "counter",
    ),
)
