"""Every code sample of docs/quickstart.md (and docs/extending.md) runs, in order, and prints what the page says."""

from __future__ import annotations

import contextlib
import io
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from django_signal_notifier import declare
from tests.support.docsamples import samples

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "quickstart.md"


def run_command_lines(code: str) -> None:
    for line in filter(None, (raw.strip() for raw in code.splitlines())):
        words = shlex.split(line)
        assert words[:2] == ["python", "manage.py"], f"not a manage.py command, cannot run it: {line!r}"
        call_command(*words[2:])


def check_settings_sample(code: str) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(code, "settings.py", "exec"), namespace)
    documented = namespace["INSTALLED_APPS"]
    for app in documented:
        assert app in settings.INSTALLED_APPS, f"{app} is in the documented settings but not a working one"
    assert documented[-1] == "django_signal_notifier"


@pytest.fixture
def restore_declarations() -> Any:
    saved = list(declare._hooks)
    yield
    declare._hooks[:] = saved


def test_the_page_has_samples() -> None:
    kinds = [(s.lang, s.title) for s in samples(PAGE.read_text(encoding="utf-8"))]
    assert ("python", "settings.py") in kinds and ("text", "Output") in kinds and len(kinds) >= 8


def run_page(page: Path) -> int:
    """Run every sample of ``page`` in order; return how many printed outputs were checked."""
    shell: dict[str, Any] = {"__name__": "__shell__"}
    printed = ""
    checked_outputs = 0
    for sample in samples(page.read_text(encoding="utf-8")):
        where = f"docs/{page.name} line {sample.line}"
        if sample.lang == "text" and sample.title == "Output":
            expected = [line for line in sample.code.splitlines() if line.strip()]
            actual = [line for line in printed.splitlines() if line.strip()]
            assert actual == expected, f"{where}: the sample before it printed {actual!r}"
            checked_outputs += 1
            continue
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            if sample.lang == "python" and sample.title == "settings.py":
                check_settings_sample(sample.code)
            elif sample.lang == "python" and sample.title:  # a module of the user's project
                exec(compile(sample.code, sample.title, "exec"), {"__name__": sample.title})
            elif sample.lang == "python":
                exec(compile(sample.code, where, "exec"), shell)
            elif sample.lang == "bash":
                run_command_lines(sample.code)
            else:
                pytest.fail(f"{where}: a {sample.lang!r} sample this test does not know how to run")
        printed = buffer.getvalue()
    return checked_outputs


@pytest.mark.django_db(transaction=True)
def test_every_quickstart_sample_runs_and_prints_what_the_page_says(restore_declarations: Any) -> None:
    assert run_page(PAGE) == 2


@pytest.mark.django_db(transaction=True)
def test_the_messenger_and_template_of_the_extending_page_work(
    restore_declarations: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the sample writes notifications.jsonl in the current directory
    assert run_page(DOCS / "extending.md") == 1


@pytest.mark.django_db(transaction=True)
def test_the_readme_quickstart_runs(restore_declarations: Any) -> None:
    from django.contrib.auth import get_user_model

    from django_signal_notifier.models import Notification
    from django_signal_notifier.quickstart.models import TestModel1

    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "admin")
    blocks = [s for s in samples((DOCS.parent / "README.md").read_text(encoding="utf-8")) if s.lang == "python"]
    assert len(blocks) == 3
    check_settings_sample(blocks[0].code)

    shell: dict[str, Any] = {}
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(blocks[1].code, "README.md", "exec"), shell)
    expected = [line[2:] for line in blocks[1].code.splitlines() if line.startswith("# [")]
    assert expected and buffer.getvalue().splitlines() == expected

    exec(compile(blocks[2].code, "README.md", "exec"), {"__name__": "readme"})
    declare.sync()
    TestModel1.objects.create(name="from-the-readme")
    assert Notification.objects.filter(recipient=admin, title__contains="from-the-readme").count() == 1
