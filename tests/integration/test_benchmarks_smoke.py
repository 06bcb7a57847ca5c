"""The benchmarks' quick smoke mode runs every scenario and reports each one (timing is not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import SCENARIO_NAMES

ROOT = Path(__file__).resolve().parents[2]
PG_NAME = f"dsn_bench_smoke_{os.getpid()}"  # runs in parallel checkouts must not share it
# The benchmarks create their own databases (an SQLite file, a PostgreSQL database).
pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def run_quick(tmp_path: Path, database: str) -> dict[str, Any]:
    report = tmp_path / "report.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DSN_BENCH_SQLITE_NAME": str(tmp_path / "bench.sqlite3"),
        "DSN_BENCH_PG_NAME": PG_NAME,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--db", database, "--json", str(report)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "| S1 idle tax |" in completed.stdout  # the table was printed
    return json.loads(report.read_text(encoding="utf-8"))


def assert_every_scenario(report: dict[str, Any], database: str) -> None:
    results = [r for r in report["results"] if r["database"] == database]
    assert {r["scenario"] for r in results} == set(SCENARIO_NAMES)
    assert report["environment"]["machine"]["cpus"]
    assert database in report["environment"]["databases"]
    for result in results:
        assert result["case"] != "error", result
        if result["available"]:
            assert result["engine_s_per_op"] > 0, result
            if result["scenario"] not in ("S6", "S7") or result["case"].startswith("request path"):
                assert result["engine_queries_per_op"]["work"] >= 1, result
        else:  # the e-mail cases without an EmailMessenger; S7 runs on PostgreSQL only
            assert result["scenario"] in ("S4", "S7") and result["notes"].startswith("not available"), result
            if result["scenario"] == "S7" and database == "postgres":
                assert "EmailMessenger" in result["notes"], result
    if database == "postgres":  # S7's request path, the memory baseline, 2 in-site and 2 e-mail fan-outs
        assert sum(1 for r in results if r["scenario"] == "S7" and r["available"]) >= 4


def test_quick_mode_reports_every_scenario_on_sqlite(tmp_path: Path) -> None:
    assert_every_scenario(run_quick(tmp_path, "sqlite"), "sqlite")


def test_quick_mode_reports_every_scenario_on_postgres(tmp_path: Path, postgres: None) -> None:
    try:
        assert_every_scenario(run_quick(tmp_path, "postgres"), "postgres")
    finally:
        import psycopg

        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
