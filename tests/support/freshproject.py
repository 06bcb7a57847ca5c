"""A user's new project in a clean virtualenv: the built wheel installed, `django-admin startproject`,
and a documentation page's samples run in it as the page tells a user to run them."""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.docsamples import samples

# Nothing of the repository or of the test run may leak into the user's processes.
LEAKING_VARIABLES = ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONHOME")
INSTALLED_APPS = re.compile(r"^INSTALLED_APPS = (\[.*?^\])", re.MULTILINE | re.DOTALL)
PACKAGE = "django_signal_notifier"


def pip_cache_dir() -> str:
    """One pip cache for every cell and every run (pip's own default unless PIP_CACHE_DIR says otherwise)."""
    return os.environ.get("PIP_CACHE_DIR") or os.path.expanduser("~/.cache/pip")


def user_environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in LEAKING_VARIABLES}
    env["PIP_CACHE_DIR"] = pip_cache_dir()
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=user_environment(), capture_output=True, text=True, timeout=timeout)


def succeeded(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        raise AssertionError(f"{shlex.join(result.args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@dataclass
class FreshProject:
    """A virtualenv with the wheel and one Django, and a project made by ``startproject fresh``."""

    root: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def path(self) -> Path:
        return self.root / "project"

    @property
    def settings_file(self) -> Path:
        return self.path / "fresh" / "settings.py"

    @classmethod
    def create(cls, root: Path, interpreter: str, requirements: list[str]) -> FreshProject:
        """``interpreter -m venv``, ``pip install *requirements``, ``django-admin startproject fresh``."""
        project = cls(root)
        started = time.monotonic()
        succeeded(run([interpreter, "-m", "venv", str(project.venv)], cwd=root))
        succeeded(project.pip_install(*requirements))
        project.timings["venv and pip install"] = time.monotonic() - started
        project.path.mkdir()
        succeeded(run([str(project.venv / "bin" / "django-admin"), "startproject", "fresh", "."], cwd=project.path))
        return project

    def pip_install(self, *requirements: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.python), "-m", "pip", "install", "-q", *requirements], cwd=self.root, timeout=600)

    def python_run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return run([str(self.python), *args], cwd=self.path, timeout=timeout)

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.python_run("manage.py", *args)

    def shell(self, code: str) -> subprocess.CompletedProcess[str]:
        """``manage.py shell`` running ``code``; verbosity 0 keeps Django's auto-import count out of stdout."""
        return self.manage("shell", "--verbosity", "0", "--command", code)

    @property
    def installed_apps(self) -> list[str]:
        match = INSTALLED_APPS.search(self.settings_file.read_text())
        assert match, "startproject wrote no INSTALLED_APPS list"
        return list(ast.literal_eval(match[1]))

    @installed_apps.setter
    def installed_apps(self, apps: list[str]) -> None:
        listed = "".join(f"    {app!r},\n" for app in apps)
        text = INSTALLED_APPS.sub(lambda _: f"INSTALLED_APPS = [\n{listed}]", self.settings_file.read_text())
        self.settings_file.write_text(text)

    def add_documented_apps(self, documented: list[str]) -> None:
        """The apps a documented INSTALLED_APPS lists that startproject's does not, in their order."""
        apps = self.installed_apps
        self.installed_apps = apps + [app for app in documented if app not in apps]

    def add_module(self, relative_path: str, code: str) -> None:
        """A module of the user's app (``myapp/notifications.py``): the app is created and installed
        before the package's apps, and its ``ready()`` imports the module, as the docs advise."""
        app, _, filename = relative_path.partition("/")
        if not (self.path / app).exists():
            succeeded(self.manage("startapp", app))
        apps = self.installed_apps
        if app not in apps:  # the page says to add it (after its own `startapp`, when it has one)
            first_package_app = next(i for i, name in enumerate(apps) if name.startswith(PACKAGE))
            self.installed_apps = apps[:first_package_app] + [app] + apps[first_package_app:]
        module = filename.removesuffix(".py")
        if module == "apps":  # the page gives the AppConfig itself
            (self.path / relative_path).write_text(code)
            return
        apps_file = self.path / app / "apps.py"
        text = apps_file.read_text()
        if "def ready(self)" not in text:
            text += "\n    def ready(self):\n        pass\n"
        text = text.replace(
            "    def ready(self):\n", f"    def ready(self):\n        from . import {module}  # noqa: F401\n"
        )
        apps_file.write_text(text)
        (self.path / relative_path).write_text(code)

    def run_page(self, page: Path) -> int:
        """Run every sample of ``page`` in order and compare each ``Output`` block with what the sample
        before it printed; return how many outputs were compared."""
        started = time.monotonic()
        printed = ""
        compared = 0
        for sample in samples(page.read_text(encoding="utf-8")):
            where = f"docs/{page.name} line {sample.line}"
            if sample.lang == "text" and sample.title == "Output":
                expected = [line for line in sample.code.splitlines() if line.strip()]
                actual = [line for line in printed.splitlines() if line.strip()]
                assert actual == expected, f"{where}: the sample before it printed {actual!r}"
                compared += 1
                continue
            printed = ""
            if sample.lang == "python" and sample.title == "settings.py":
                documented: dict[str, list[str]] = {}
                exec(compile(sample.code, where, "exec"), documented)
                self.add_documented_apps(documented["INSTALLED_APPS"])
            elif sample.lang == "python" and sample.title:
                self.add_module(sample.title, sample.code)
            elif sample.lang == "python":
                result = succeeded(self.shell(sample.code))
                assert "Traceback" not in result.stderr, f"{where}:\n{result.stderr}"
                printed = result.stdout
            elif sample.lang == "bash":
                for line in filter(None, (raw.strip() for raw in sample.code.splitlines())):
                    words = shlex.split(line)
                    assert words[:2] == ["python", "manage.py"], f"{where}: not a manage.py command: {line!r}"
                    result = succeeded(self.manage(*words[2:]))
                    assert result.stderr == "", f"{where}: {line} printed on stderr:\n{result.stderr}"
                    printed = result.stdout
            else:
                raise AssertionError(f"{where}: a {sample.lang!r} sample this runner does not know how to run")
        self.timings[f"docs/{page.name}"] = time.monotonic() - started
        return compared
