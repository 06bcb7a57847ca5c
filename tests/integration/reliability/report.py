"""Run the reliability and security suite and print the README's table, every figure from this run.

    python -m tests.integration.reliability.report            # the CI-sized load (a few writers, seconds)
    python -m tests.integration.reliability.report --full     # DSN_FULL_LOAD=1: 20 writers for 2 minutes

It runs on PostgreSQL (the load and worker-fault tests need a server database shared by
processes) in its own test database, ``DSN_PG_TEST_NAME`` (default ``test_dsn_reliability_report``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

SUITES = ("tests/integration/reliability", "tests/security")


class Outcomes:
    """A pytest plugin that counts the outcome of each test, by suite."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            suite = "security" if report.nodeid.startswith("tests/security") else "reliability"
            self.counts[(suite, report.outcome)] += 1


def table(figures: list[dict[str, Any]], outcomes: Counter[tuple[str, str]], full: bool) -> str:
    load = next((f for f in figures if f["test"] == "load"), None)
    faults = [f for f in figures if f.get("faults")]
    bad_inputs = sum(f.get("bad_inputs", 0) for f in figures)
    lost = sum(f.get("lost", 0) for f in figures)
    duplicated = sum(f.get("duplicated", 0) for f in figures)
    rows = []
    if load:
        rows += [
            (
                "Load",
                f"{load['writers']} writer processes × {load['seconds']:.0f} s, {load['workers']} worker processes, PostgreSQL",
            ),
            ("Events", f"{load['events']:,}"),
            ("Deliveries", f"{load['deliveries']:,} (sent: {load['sent']:,})"),
        ]
    for real in (f for f in figures if f.get("real_workers")):
        rows.append(
            (
                f"Load, {real['real_workers']}",
                f"{real['writers']} writers, {real['events']:,} events, {real['deliveries']:,} deliveries "
                f"({real['sent_by_workers']:,} sent by the workers); one worker SIGKILLed mid-batch; "
                f"lost {real['lost']}, duplicated {real['duplicated']} after {real['redrives']} redrive run(s)",
            )
        )
    rows += [
        ("Faults injected", f"{sum(f['faults'] for f in faults)} ({', '.join(f['test'] for f in faults)})"),
        ("Lost", str(lost)),
        ("Duplicated", str(duplicated)),
        ("Bad inputs tried", str(bad_inputs)),
        ("Security cases", f"{outcomes[('security', 'passed')]} passed, {outcomes[('security', 'failed')]} failed"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'Figure'.ljust(width)} | Value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {name.ljust(width)} | {value} |" for name, value in rows]
    lines.append("")
    lines.append(f"Command: `python -m tests.integration.reliability.report{' --full' if full else ''}`")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full load: 20 writers for 2 minutes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "figures.jsonl"
        os.environ["DSN_REL_FIGURES"] = str(path)
        os.environ.setdefault("DSN_TEST_DB", "postgres")
        os.environ.setdefault("DSN_PG_TEST_NAME", "test_dsn_reliability_report")
        if args.full:
            os.environ["DSN_FULL_LOAD"] = "1"
        import pytest

        outcomes = Outcomes()
        code = pytest.main(["-q", "-p", "no:cacheprovider", *SUITES], plugins=[outcomes])
        figures = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    print()
    print(table(figures, outcomes.counts, args.full))
    if outcomes.counts[("reliability", "skipped")]:
        print(f"\n({outcomes.counts[('reliability', 'skipped')]} reliability tests skipped: see the pytest summary)")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
