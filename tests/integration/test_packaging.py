"""`pip install django-signal-notifier` gets everything a project needs at run time, and nothing of ours
for development (the install matrix, tests/integration/test_install_matrix.py, installs it for real)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.own_database  # builds and installs in subprocesses


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return zipfile.ZipFile(next(out.glob("django_signal_notifier-*.whl")))


@pytest.fixture(scope="module")
def metadata(wheel: zipfile.ZipFile) -> Message:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return HeaderParser().parsestr(wheel.read(name).decode())


def test_the_wheel_carries_code_migrations_templates_and_types(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for required in (
        "django_signal_notifier/py.typed",
        "django_signal_notifier/migrations/0001_initial.py",
        "django_signal_notifier/quickstart/migrations/0001_initial.py",
        "django_signal_notifier/quickstart/models.py",
        "django_signal_notifier/management/commands/signal_notifier.py",
        "django_signal_notifier/locale/es/LC_MESSAGES/django.mo",
        "django_signal_notifier/static/django_signal_notifier/badge.js",
    ):
        assert required in names, required
    assert any(n.startswith("django_signal_notifier/templates/django_signal_notifier/") for n in names)
    assert not any(n.startswith("tests/") or n.startswith("demo/") for n in names)


def test_the_tasks_backport_is_required_whatever_the_python(metadata: Message) -> None:
    """Django 5.2 needs django-tasks on Python 3.12 and 3.13 too: the need follows Django, not Python."""
    requires = [r.replace(" ", "") for r in metadata.get_all("Requires-Dist", [])]
    assert "django-tasks>=0.8" in requires  # no python_version marker
    assert "Django<6.1,>=5.2" in requires or "Django>=5.2,<6.1" in requires, requires


def test_the_license_and_the_supported_versions_are_declared(metadata: Message, wheel: zipfile.ZipFile) -> None:
    # PEP 639: the SPDX expression and the file; setuptools refuses a License classifier beside them
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())
    classifiers = set(metadata.get_all("Classifier", []))
    assert {
        "Development Status :: 3 - Alpha",
        "Framework :: Django :: 5.2",
        "Framework :: Django :: 6.0",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Intended Audience :: Developers",
    } <= classifiers
    assert any(c.startswith("Topic :: ") for c in classifiers)
    assert metadata["Requires-Python"] == ">=3.11"


def test_only_channel_and_worker_extras_are_published(metadata: Message) -> None:
    extras = set(metadata.get_all("Provides-Extra", []))
    assert {"apprise", "celery", "db-worker"} <= extras
    assert not extras & {"test", "dev", "demo"}  # PEP 735 dependency groups of the repository


def test_installing_the_package_adds_no_pytest_plugin(wheel: zipfile.ZipFile) -> None:
    """The ``notifications`` fixture is opt-in (``pytest_plugins`` in the project's conftest.py)."""
    entry_points = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert all(b"pytest11" not in wheel.read(name) for name in entry_points)
