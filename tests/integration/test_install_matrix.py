"""The release check: the sdist and wheel built and passed by ``twine check``, then the wheel installed
into clean virtualenvs, Python 3.11/3.12/3.13 × Django 5.2/6.0, each running the quickstart
(docs/quickstart.md) in a project made by ``django-admin startproject``.

Django 6.0 needs Python 3.12, so 3.11 × 6.0 is not a cell. A cell whose interpreter this machine
lacks is skipped with the reason; under DSN_REQUIRE_SERVICES=1 (.ci/run) it fails instead. Every
cell installs from one shared pip cache. `make test-install-matrix` runs this module alone; the
other suite runs leave it out (``-m "not install_matrix"``).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.support.docsamples import samples
from tests.support.freshproject import FreshProject, succeeded
from tests.support.interpreters import find_python

pytestmark = [pytest.mark.slow, pytest.mark.install_matrix, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "django_signal_notifier"
QUICKSTART = ROOT / "docs" / "quickstart.md"
EXTENDING = ROOT / "docs" / "extending.md"
API_PAGE = ROOT / "docs" / "api.md"

# (Python, Django): every supported pair (pyproject.toml's classifiers).
CELLS = [("3.11", "5.2"), ("3.12", "5.2"), ("3.12", "6.0"), ("3.13", "5.2"), ("3.13", "6.0")]


def django_requirement(series: str) -> str:
    major, minor = series.split(".")
    return f"Django>={series},<{major}.{int(minor) + 1}"


def required_or_skipped(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and DSN_REQUIRE_SERVICES=1 requires every cell of the install matrix.")
    pytest.skip(f"SKIPPED LOUDLY: {reason}.")


@dataclass
class Distributions:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    """``python -m build`` (the wheel is built from the sdist, so the sdist is proven complete too)."""
    if importlib.util.find_spec("build") is None or importlib.util.find_spec("twine") is None:
        required_or_skipped("build and twine are not installed (pip install --group dev)")
    out = tmp_path_factory.mktemp("dist")
    succeeded(
        subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    )
    return Distributions(sdist=next(out.glob("*.tar.gz")), wheel=next(out.glob("*.whl")))


@pytest.fixture(scope="module")
def fresh_project(
    distributions: Distributions, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, str], FreshProject]:
    """The fresh project of a (Python, Django) cell, created once per cell for this module."""
    made: dict[tuple[str, str], FreshProject] = {}

    def for_cell(python: str, django: str) -> FreshProject:
        if (python, django) not in made:
            interpreter = find_python(python)
            if interpreter is None:
                required_or_skipped(
                    f"no Python {python} interpreter found (PATH, /usr/bin, ~/.pyenv/versions), "
                    f"so the cell Python {python} × Django {django} did not run"
                )
            root = tmp_path_factory.mktemp(f"py{python}-django{django}")
            made[python, django] = FreshProject.create(
                root, interpreter, [str(distributions.wheel), django_requirement(django)]
            )
        return made[python, django]

    return for_cell


def test_the_sdist_and_the_wheel_pass_twine_check(distributions: Distributions) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(distributions.sdist), str(distributions.wheel)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_sdist_carries_the_license_changelog_and_readme_and_no_tests(distributions: Distributions) -> None:
    with tarfile.open(distributions.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= names
    assert not any(name.startswith(("tests/", "demo/", "benchmarks/")) for name in names)
    with zipfile.ZipFile(distributions.wheel) as wheel:
        assert any(name.endswith(".dist-info/licenses/LICENSE") for name in wheel.namelist())


def files_a_project_needs() -> set[str]:
    """Templates, static files, translations and migrations of the source tree, relative to the package."""
    needed = set()
    for path in PACKAGE_DIR.rglob("*"):
        relative = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or "__pycache__" in relative.parts:
            continue
        data = relative.parts[0] in {"templates", "static", "locale"}
        migration = "migrations" in relative.parts and path.suffix == ".py"
        if data or migration:
            needed.add(relative.as_posix())
    return needed


def a_translated_message() -> tuple[str, str]:
    """A one-line msgid of the Spanish catalogue with its translation (not fuzzy, so it is compiled)."""
    catalogue = (PACKAGE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for entry in catalogue.split("\n\n"):
        match = re.search(r'^msgid "(?P<id>[^"\\%{]+)"\nmsgstr "(?P<str>[^"\\]+)"$', entry, re.MULTILINE)
        if match and "#, fuzzy" not in entry and match["id"] != match["str"]:
            return match["id"], match["str"]
    raise AssertionError("the Spanish catalogue has no translated one-line message")


@pytest.mark.parametrize(("python", "django"), CELLS, ids=[f"py{p}-django{d}" for p, d in CELLS])
def test_a_fresh_project_runs_the_quickstart_from_the_wheel(
    fresh_project: Callable[[str, str], FreshProject], python: str, django: str
) -> None:
    project = fresh_project(python, django)
    versions = succeeded(
        project.python_run("-c", "import sys, django; print('%d.%d' % sys.version_info[:2], django.get_version())")
    )
    running_python, running_django = versions.stdout.split()
    assert running_python == python and running_django.startswith(f"{django}."), versions.stdout

    assert project.run_page(QUICKSTART) == 2  # both printed outputs of the page compared

    # the package was imported from the venv (not from the repository) and carries its data files
    located = succeeded(
        project.python_run("-c", "import django_signal_notifier as p, pathlib; print(pathlib.Path(p.__file__).parent)")
    )
    installed_dir = Path(located.stdout.strip())
    assert installed_dir.is_relative_to(project.venv), installed_dir
    needed = files_a_project_needs()
    assert {Path(n).suffix for n in needed} >= {".html", ".js", ".mo", ".py"}, needed
    missing = sorted(n for n in needed if not (installed_dir / n).is_file())
    assert missing == [], f"the installed package lacks {missing}"

    msgid, msgstr = a_translated_message()
    spanish = succeeded(
        project.shell(
            f"from django.utils import translation\ntranslation.activate('es')\nprint(translation.gettext({msgid!r}))"
        )
    )
    assert spanish.stdout.strip() == msgstr

    plugins = succeeded(
        project.python_run(
            "-c",
            "from importlib.metadata import entry_points; print([e.value for e in entry_points(group='pytest11')])",
        )
    )
    assert "django_signal_notifier" not in plugins.stdout  # the pytest plugin is opt-in


def test_a_fresh_project_runs_the_extending_page_from_the_wheel(
    distributions: Distributions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A messenger and a template of the user's own app, written as docs/extending.md says (one cell)."""
    python, django = CELLS[0]
    interpreter = find_python(python)
    if interpreter is None:
        required_or_skipped(f"no Python {python} interpreter found, so the extending page did not run")
    # A project of its own: the cell's project already carries the quickstart's declarations.
    project = FreshProject.create(
        tmp_path_factory.mktemp("extending"), interpreter, [str(distributions.wheel), django_requirement(django)]
    )
    project.add_documented_apps(["django_signal_notifier.quickstart", "django_signal_notifier"])  # as installed
    succeeded(project.manage("migrate", "--verbosity", "0"))
    assert project.run_page(EXTENDING) == 1


PROJECT_TEST = """
import pytest
from django_signal_notifier import notify


@pytest.mark.django_db
def test_the_notifications_fixture_captures(notifications, django_user_model):
    author = django_user_model.objects.create_user("author", email="author@example.com")
    notify("commented", recipients=author, channels=["EmailMessenger"], subject="New comment", text="Lovely piece")
    notifications.assert_sent(to=author, channel="EmailMessenger", contains="Lovely piece", count=1)
"""


def test_the_pytest_plugin_loads_only_when_the_project_asks(fresh_project: Callable[[str, str], FreshProject]) -> None:
    project = fresh_project(*CELLS[0])
    project.add_documented_apps(["django_signal_notifier"])  # already there if the quickstart ran in this cell
    succeeded(project.pip_install("pytest>=8", "pytest-django>=4.9"))
    (project.path / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = fresh.settings\n")
    (project.path / "test_notify.py").write_text(PROJECT_TEST)

    without = project.python_run("-m", "pytest", "-q", "-p", "no:cacheprovider", "test_notify.py")
    assert without.returncode != 0 and "fixture 'notifications' not found" in without.stdout, without.stdout

    documented = [s for s in samples(API_PAGE.read_text(encoding="utf-8")) if s.title == "conftest.py"]
    assert len(documented) == 1, "docs/api.md shows the conftest.py that opts in to the plugin"
    (project.path / "conftest.py").write_text(documented[0].code)
    opted_in = project.python_run("-m", "pytest", "-q", "-p", "no:cacheprovider", "test_notify.py")
    assert opted_in.returncode == 0 and "1 passed" in opted_in.stdout, opted_in.stdout + opted_in.stderr
