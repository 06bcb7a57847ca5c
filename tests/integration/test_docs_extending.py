"""docs/extending.md and the testing example of docs/api.md, run as written in a new project.

A new project gets an app ``myapp`` holding the page's modules under the file names their
titles give (``myapp/messengers.py``, ``myapp/message_templates.py``); nothing imports them but
the package's start-up. The "Using them" sample then runs in ``manage.py shell`` and must print
the page's Output, and the api.md test module runs under pytest with the package's plugin.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_docs_quickstart import samples

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# What the pages ask for, added to the settings `startproject` wrote.
SETTINGS_ADDED = """
INSTALLED_APPS += ["myapp", "django_signal_notifier.quickstart", "django_signal_notifier"]
"""


@pytest.fixture
def new_project(tmp_path: Path):
    """``django-admin startproject mysite`` + ``startapp myapp``, migrated; ``run(*args)`` runs Python there."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mysite.settings", "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=env, text=True, capture_output=True, timeout=180
        )
        assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    run("-m", "django", "startproject", "mysite", ".")
    run("manage.py", "startapp", "myapp")
    (tmp_path / "myapp" / "tests.py").unlink()  # the api page's tests go in a package, myapp/tests/
    with (tmp_path / "mysite" / "settings.py").open("a") as settings:
        settings.write(SETTINGS_ADDED)
    run("manage.py", "migrate", "-v", "0")
    run.path = tmp_path  # type: ignore[attr-defined]
    return run


def write_titled_modules(page: Path, root: Path) -> list[str]:
    """Save each titled Python sample of ``page`` under its title; return the titles."""
    titles = []
    for sample in samples(page.read_text(encoding="utf-8")):
        if sample.lang == "python" and sample.title:
            target = root / sample.title
            target.parent.mkdir(parents=True, exist_ok=True)
            (target.parent / "__init__.py").touch()
            target.write_text(sample.code)
            titles.append(sample.title)
    return titles


def test_the_extending_page_runs_as_written_in_a_new_project(new_project):
    page = DOCS / "extending.md"
    assert write_titled_modules(page, new_project.path) == ["myapp/messengers.py", "myapp/message_templates.py"]
    found = samples(page.read_text(encoding="utf-8"))
    [using] = [s for s in found if s.lang == "python" and not s.title]
    [output] = [s for s in found if s.lang == "text" and s.title == "Output"]

    result = new_project("manage.py", "shell", "-v", "0", "-c", using.code)

    printed = [line for line in result.stdout.splitlines() if line.strip()]
    assert printed == output.code.splitlines(), result.stderr


def test_the_testing_example_of_the_api_page_passes_under_pytest(new_project):
    # The conftest.py that opts into the notifications fixture, and the test module.
    assert write_titled_modules(DOCS / "api.md", new_project.path) == [
        "conftest.py",
        "myapp/tests/test_notifications.py",
    ]

    result = new_project(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "error::pytest.PytestCollectionWarning",  # importing TestModel1 must not look like a test class
        "--ds=mysite.settings",
        "myapp/tests/test_notifications.py",
    )

    assert "2 passed" in result.stdout, result.stdout
