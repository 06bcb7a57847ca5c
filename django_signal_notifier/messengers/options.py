"""What a messenger's Backend options are: a label, help, a kind and a required flag per option.

Declared on the messenger class (``option_fields``), like apprise's per-service metadata, so the
admin shows one labelled field per option instead of raw JSON, and ``validate_options()`` names
the required options that are missing. A messenger that declares only ``option_names`` gets one
plain text field per name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEXT = "text"
URL = "url"
SECRET = "secret"  # a token or a URL that holds one: typed into a password box
FLAG = "flag"  # true or false; false is left out of the options
LINES = "lines"  # a list of strings, one per line
JSON = "json"  # any JSON value, typed as JSON
CHOICE = "choice"

KINDS = (TEXT, URL, SECRET, FLAG, LINES, JSON, CHOICE)


@dataclass(frozen=True)
class Option:
    """One Backend option of a messenger."""

    name: str
    label: str = ""
    help: str = ""
    required: bool = False
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Option {self.name!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}.")

    @property
    def title(self) -> str:
        """The label, or the name made readable (``from_email`` → ``From email``)."""
        return self.label or self.name.replace("_", " ").capitalize()


def is_missing(value: Any) -> bool:
    """Whether a stored option value counts as not given."""
    return value is None or value == "" or value == [] or value == {}
