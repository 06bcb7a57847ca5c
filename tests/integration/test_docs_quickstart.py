"""Every code sample of docs/quickstart.md runs, in order, and prints what the page says.

docs/extending.md runs in a new project of its own: tests/integration/test_docs_extending.py.
"""

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
from django_signal_notifier.testing import capture_notifications
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
def test_every_quickstart_sample_runs_and_prints_what_the_page_says(
    restore_declarations: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `startapp myapp` writes the app in the current directory
    assert run_page(PAGE) == 2
    assert (tmp_path / "myapp" / "apps.py").exists()


@pytest.mark.django_db(transaction=True)
def test_the_readme_installation_runs(restore_declarations: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.urls import URLResolver

    from django_signal_notifier.models import Notification

    found = {(s.lang, s.title): s for s in samples((DOCS.parent / "README.md").read_text(encoding="utf-8"))}
    assert list(found) == [
        ("bash", ""),
        ("python", "settings.py"),
        ("python", "urls.py"),
        ("python", ""),
        ("python", "myapp/notifications.py"),
    ]
    assert found["bash", ""].code.strip() == "pip install django-signal-notifier"
    check_settings_sample(found["python", "settings.py"].code)
    site = {}
    exec(compile(found["python", "settings.py"].code, "settings.py", "exec"), site)
    assert site["SIGNAL_NOTIFIER"] == {"SITE_URL": "https://example.com"}

    urls: dict[str, Any] = {}
    exec(compile(found["python", "urls.py"].code, "urls.py", "exec"), urls)
    namespaces = [p.namespace for p in urls["urlpatterns"] if isinstance(p, URLResolver)]
    assert namespaces == ["django_signal_notifier_inbox", "django_signal_notifier_preferences"]

    # 4. A first notification, from the shell.
    users = get_user_model().objects
    admin = users.create_superuser("admin", "admin@example.com", "admin")
    exec(compile(found["python", ""].code, "README.md", "exec"), {})
    assert Notification.objects.get(recipient=admin).title == "Hello from django-signal-notifier"

    # 5. The declaration: a sign-up notifies the staff group, in the inbox and by email.
    exec(compile(found["python", "myapp/notifications.py"].code, "myapp/notifications.py", "exec"), {})
    declare.sync()
    staff = users.create_user("ada", "ada@example.com", "pw")
    staff.groups.add(Group.objects.get(name="staff"))
    with capture_notifications() as sent:
        users.create_user("newcomer", "newcomer@example.com", "pw")
    assert {(m.channel, m.recipient_id) for m in sent} == {("InSiteMessenger", staff.pk), ("EmailMessenger", staff.pk)}
