"""The house: the stages import one way (import-linter), and the 1.0.0a1 module paths still import."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(
    not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e . --group dev)"
)


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120)


def test_the_contracts_hold_on_the_package():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_back_import_breaks_the_layers_contract(tmp_path):
    """A model importing the admin (a stage above it) fails the build."""
    shutil.copytree(ROOT / "django_signal_notifier", tmp_path / "django_signal_notifier")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    event = tmp_path / "django_signal_notifier" / "models" / "event.py"
    event.write_text(event.read_text() + "\nimport django_signal_notifier.admin.log  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "django_signal_notifier.models.event -> django_signal_notifier.admin.log" in result.stdout


def test_a_leaf_importing_a_stage_breaks_the_leaves_contract(tmp_path):
    shutil.copytree(ROOT / "django_signal_notifier", tmp_path / "django_signal_notifier")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    conf = tmp_path / "django_signal_notifier" / "conf.py"
    conf.write_text(conf.read_text() + "\nimport django_signal_notifier.config.index  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "django_signal_notifier.conf -> django_signal_notifier.config.index" in result.stdout


OLD_PATHS = {
    "django_signal_notifier.tasks": ("deliver", "redrive", "enqueue_deliveries"),
    "django_signal_notifier.outbox": ("deliver_due",),
    "django_signal_notifier.retry": ("error_for_http_status",),
    "django_signal_notifier.context": ("ActorMiddleware", "acting_as"),
    "django_signal_notifier.declare": ("trigger", "backend", "subscription", "sync"),
    "django_signal_notifier.digests": ("send_digests",),
    "django_signal_notifier.unsubscribe": ("unsubscribe_url",),
    "django_signal_notifier.backends.celery": ("CeleryBackend",),
    "django_signal_notifier.preference_pages.urls": ("urlpatterns",),
    "django_signal_notifier.message_templates": ("BaseMessageTemplate", "Add_Message_Template"),
    "django_signal_notifier.message_templates.base": ("MessageTemplate",),
    "django_signal_notifier.index": ("trigger_index",),
    "django_signal_notifier.explicit": ("notify",),
}


@pytest.mark.parametrize("old_path", sorted(OLD_PATHS))
def test_old_module_paths_are_the_new_modules(old_path):
    from django_signal_notifier.compat.paths import MOVED, PACKAGE

    module = importlib.import_module(old_path)
    new_path = f"{PACKAGE}.{MOVED[old_path[len(PACKAGE) + 1 :]]}"
    assert module is importlib.import_module(new_path)
    for name in OLD_PATHS[old_path]:
        assert hasattr(module, name), f"{old_path}.{name}"


def test_a_task_path_queued_by_1_0_0a1_resolves_to_the_task():
    from django.utils.module_loading import import_string

    from django_signal_notifier.delivery.tasks import deliver

    assert import_string("django_signal_notifier.tasks.deliver") is deliver


def test_the_middleware_path_in_settings_still_loads():
    from django.utils.module_loading import import_string

    from django_signal_notifier.events.actor import ActorMiddleware

    assert import_string("django_signal_notifier.context.ActorMiddleware") is ActorMiddleware
