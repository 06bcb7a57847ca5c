"""One table of check ids: every id in the code is documented in docs/checks.md and used by one module."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "django_signal_notifier"
LITERAL = re.compile(r"signal_notifier\.([EWI]\d{3})")
PROBLEM = re.compile(r"_id\(\"([EWI]\d{3})\"\)")  # config/problems.py builds the row ids


def ids_in_code() -> dict[str, set[str]]:
    """Each id and the modules that report it (docstrings that mention an id as an example aside)."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        for match in [*LITERAL.finditer(text), *PROBLEM.finditer(text)]:
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
            if "id=" in line or "_id(" in line or re.search(r"\"signal_notifier\.[EWI]\d{3}\"", line):
                found[match.group(1)].add(str(path.relative_to(ROOT)))
    return found


def ids_in_docs() -> set[str]:
    table_rows = [line for line in (ROOT / "docs" / "checks.md").read_text().splitlines() if line.startswith("| `")]
    return {LITERAL.search(row).group(1) for row in table_rows if LITERAL.search(row)}  # type: ignore[union-attr]


def test_each_id_is_reported_by_one_module() -> None:
    shared = {check_id: sorted(modules) for check_id, modules in ids_in_code().items() if len(modules) > 1}
    assert shared == {}


def test_the_docs_table_lists_exactly_the_ids_in_the_code() -> None:
    code = set(ids_in_code())
    assert len(code) > 40  # the scan finds the ids (settings, channels, inbox, stored rows)
    assert code == ids_in_docs()


def test_stored_row_checks_are_warnings_under_the_database_tag() -> None:
    from django.core.checks import Tags
    from django.core.checks.registry import registry

    from django_signal_notifier.checks.configuration import check_stored_configuration
    from django_signal_notifier.checks.settings import check_channel_settings, check_channels_in_use

    tags = {
        check.__name__: set(check.tags) for check in registry.get_checks() if check.__module__.startswith("django_")
    }
    assert tags[check_stored_configuration.__name__] == {Tags.database}
    assert tags[check_channels_in_use.__name__] == {Tags.database}
    assert Tags.database not in tags[check_channel_settings.__name__]
    assert all(
        "signal_notifier.E" not in line for line in (PACKAGE / "config" / "problems.py").read_text().splitlines()
    )
