"""The documentation builds with warnings as errors, and the configuration page lists every setting."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from django_signal_notifier.conf import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.own_database  # no database: the docs and the settings


def test_mkdocs_strict_build(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="SKIPPED LOUDLY: mkdocs is not installed (pip install -e . --group dev)")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "quickstart" / "index.html").exists()


def test_every_nav_page_exists_and_every_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    in_nav = set(re.findall(r"^\s*-\s*(?:[^:#\n]+:\s*)?([\w/.-]+\.md)\s*$", config, re.MULTILINE))
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert in_nav == pages


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_configuration_reference_documents_each_setting_with_its_default(key: str) -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    default = DEFAULTS[key]
    shown = f'"{default}"' if isinstance(default, str) else repr(default)
    assert f"### `{key}`" in page, f"docs/configuration.md has no section for {key}"
    assert f"| [`{key}`](#{key.lower()}) | `{shown}` |" in page, f"the table's default for {key} is not {shown}"
    section = page.split(f"### `{key}`", 1)[1].split("###", 1)[0]
    assert f"Default: `{shown}`" in section, f"the section of {key} does not say Default: `{shown}`"
