"""The fenced code samples of a documentation page, in order, with their language and title."""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^```(?P<lang>\w+)(?P<info>[^\n]*)\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
TITLE = re.compile(r'title="(?P<title>[^"]*)"')


@dataclass
class Sample:
    lang: str
    title: str
    code: str
    line: int


def samples(text: str) -> list[Sample]:
    """Every fenced sample of a Markdown page: ``title="…"`` names a file, ``title="Output"`` what was printed."""
    found = []
    for match in FENCE.finditer(text):
        title = TITLE.search(match["info"])
        line = text.count("\n", 0, match.start()) + 1
        found.append(Sample(match["lang"], title["title"] if title else "", match["code"], line))
    return found
