"""`pip install django-signal-notifier` gets everything a project needs at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.own_database  # builds and installs in subprocesses


def test_the_wheel_carries_code_migrations_templates_and_types(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = next(tmp_path.glob("django_signal_notifier-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "django_signal_notifier/py.typed",
        "django_signal_notifier/migrations/0001_initial.py",
        "django_signal_notifier/quickstart/migrations/0001_initial.py",
        "django_signal_notifier/quickstart/models.py",
        "django_signal_notifier/management/commands/signal_notifier.py",
    ):
        assert required in names, required
    assert any(n.startswith("django_signal_notifier/templates/django_signal_notifier/") for n in names)
    assert not any(n.startswith("tests/") or n.startswith("demo/") for n in names)


def test_the_tasks_backport_is_required_whatever_the_python(tmp_path):
    """Django 5.2 needs django-tasks on Python 3.12 and 3.13 too: the need follows Django, not Python."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = next(tmp_path.glob("django_signal_notifier-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert "django-tasks>=0.8" in requires  # no python_version marker
    assert any(
        r.replace(" ", "").startswith("Django<6.1,>=5.2") or r.replace(" ", "") == "Django>=5.2,<6.1" for r in requires
    ), requires
