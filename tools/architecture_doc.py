"""Rewrite the module tree of docs/architecture.md from the package: one line per module, its docstring.

Run ``python tools/architecture_doc.py`` after adding, moving or re-documenting a module;
``tests/architecture/test_architecture_doc.py`` fails while the page is stale. Only the first
``text`` block after "## The tree" is rewritten: the hand-written text around it stays.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "django_signal_notifier"
PAGE = ROOT / "docs" / "architecture.md"
HEADING = "## The tree"
COLUMN = 74
EMPTY_PACKAGE = "(the stage's package; its modules are imported by their full path)"


def modules() -> list[Path]:
    """The package's modules, migrations aside, in the order ``find | sort`` gives."""
    found = [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.relative_to(PACKAGE).parts]
    return sorted(found, key=lambda path: str(path.relative_to(ROOT)))


def summary(path: Path) -> str:
    """The first line of the module's docstring; a package without one says what it is."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if docstring:
        return docstring.strip().splitlines()[0]
    if path.name == "__init__.py":
        return EMPTY_PACKAGE
    raise SystemExit(f"{path.relative_to(ROOT)} has no docstring: say in one line what the module does")


def tree() -> str:
    """The block's lines, the summary aligned in one column."""
    lines = []
    for path in modules():
        name = str(path.relative_to(ROOT))
        lines.append(f"{name.ljust(COLUMN - 1)} {summary(path)}".rstrip())
    return "\n".join(lines) + "\n"


def page_with_tree(page: str) -> str:
    """The page with its tree block replaced by the current one."""
    head, found, rest = page.partition(HEADING)
    if not found:
        raise SystemExit(f"{PAGE} has no '{HEADING}' section")
    intro, fence, after_fence = rest.partition("```text\n")
    _old_block, close, tail = after_fence.partition("```")
    return head + found + intro + fence + tree() + close + tail


def main() -> int:
    PAGE.write_text(page_with_tree(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
