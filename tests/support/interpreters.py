"""Python interpreters of this machine by version, found as the Makefile's PYTHON_DJ6 finds them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

# Prints the version only when the interpreter can also make a venv with pip (Debian splits venv off).
PROBE = "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"


def candidates(version: str) -> list[str]:
    """Where an interpreter of ``version`` ("3.12") may be: this one, PATH, /usr/bin, pyenv's versions."""
    found: list[str] = []
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        found.append(sys.executable)
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(on_path)
    found.append(f"/usr/bin/python{version}")
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found.extend(sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python3"), reverse=True))
    return found


def find_python(version: str) -> str | None:
    """The first interpreter of ``version`` that runs and can create a virtualenv, else None.

    pyenv's shims are on PATH whatever is installed and fail when the version is not selected, so
    every candidate is run once to be sure.
    """
    for path in candidates(version):
        if not os.path.exists(path):
            continue
        try:
            probe = subprocess.run([path, "-c", PROBE], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return path
    return None
