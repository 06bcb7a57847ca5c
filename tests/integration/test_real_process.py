"""The command and the checks in a fresh project, as separate processes: real exit codes."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_project import fresh_database, project  # noqa: F401  (the fresh-project fixtures)

pytestmark = pytest.mark.slow


def test_exit_codes_of_the_command_in_a_real_process(project):  # noqa: F811
    project("migrate", "--verbosity", "0", check=False)
    listed = project("signal_notifier", "list", "--json")
    assert json.loads(listed.stdout) == []
    missing = project("signal_notifier", "fire", "999", "--dry-run", check=False)
    assert missing.returncode == 2
    assert "No trigger '999'" in missing.stderr
    bad_json = project(
        "signal_notifier", "render", "DefaultMessageTemplate", "--user", "x", "--kwargs", "{", check=False
    )
    assert bad_json.returncode == 2


def test_a_broken_messenger_path_is_a_check_error_not_a_crash(project):  # noqa: F811
    settings_file = project.path / "freshsettings.py"
    settings_file.write_text(
        settings_file.read_text().replace(
            'SIGNAL_NOTIFIER = {"CONFIG_CHECK_INTERVAL": 0.5}',
            'SIGNAL_NOTIFIER = {"MESSENGERS": ["myproject.notify.Pigeon"], "LANGUAGE_GETTER": "nowhere.lang"}',
        )
    )
    result = project("check", check=False)
    assert result.returncode == 1
    assert (
        "signal_notifier.E027" in result.stderr
        and "'myproject.notify.Pigeon', which cannot be imported" in result.stderr
    )
    assert "signal_notifier.E026" in result.stderr
    assert "Traceback" not in result.stderr
