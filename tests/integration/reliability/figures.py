"""Figures the suite measures, collected by ``python -m tests.integration.reliability.report``.

A test calls :func:`record` with what it measured; when ``DSN_REL_FIGURES`` names a file (the
report sets it), each figure is appended there as one JSON line. Outside the report nothing is written.
"""

from __future__ import annotations

import json
import os
from typing import Any


def record(test: str, **figures: Any) -> None:
    """Append one test's figures (events, deliveries, faults, lost, duplicated, …)."""
    path = os.environ.get("DSN_REL_FIGURES")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"test": test, **figures}) + "\n")
