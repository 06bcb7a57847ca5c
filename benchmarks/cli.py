"""``python -m benchmarks``: every scenario on SQLite and PostgreSQL, a table and a JSON report.

Each database runs in its own process (:mod:`benchmarks.runner`). PostgreSQL (127.0.0.1:5432,
database ``dsn_bench``) is skipped loudly when it is not reachable, unless ``--db postgres`` asked
for it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
QUERIES_NOTE = (
    "queries per operation: all statements / work statements (work = all minus transaction control: "
    "BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE SAVEPOINT)"
)


def postgres_reachable() -> bool:
    host, port = os.environ.get("DSN_PG_HOST", "127.0.0.1"), int(os.environ.get("DSN_PG_PORT", "5432"))
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def run_database(database: str, quick: bool, only: str, sizes: list[str]) -> tuple[dict[str, Any] | None, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "benchmarks.runner", "--db", database, "--out", str(out), *sizes]
        if quick:
            command.append("--quick")
        if only:
            command += ["--only", only]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
        code = subprocess.call(command, cwd=ROOT, env=env)
        if not out.exists():
            return None, code or 1
        return json.loads(out.read_text(encoding="utf-8")), code


def environment(databases: dict[str, str]) -> dict[str, Any]:
    import django

    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "python": platform.python_version(),
        "django": django.get_version(),
        "databases": databases,
    }


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_queries(queries: dict[str, int] | None) -> str:
    return "—" if not queries else f"{queries['all']} / {queries['work']}"


def table(report: dict[str, Any]) -> str:
    env = report["environment"]
    machine = env["machine"]
    lines = [
        f"django-signal-notifier benchmarks — {env['date']}{' (quick smoke mode)' if report['quick'] else ''}",
        f"machine: {machine['cpus']} CPUs, {machine['platform']}, load average {machine['load_average_1m_at_end']}; Python {env['python']}; Django {env['django']}; "
        + "; ".join(env["databases"].values()),
        QUERIES_NOTE,
        "",
        "| scenario | case | db | engine / op | reference / op | ratio | queries engine | queries reference | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        if not r["available"]:
            met = "n/a"
        elif r["met"] is None:
            met = "—"  # measured for information: no target
        else:
            met = "yes" if r["met"] else "no"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        engine = fmt_time(r["engine_s_per_op"])
        if r["notes"]:
            engine = f"{engine} ({r['notes']})" if r["available"] else r["notes"]
        lines.append(
            f"| {r['scenario']} {r['title']} | {r['case']} | {r['database']} | {engine} | "
            f"{fmt_time(r['reference_s_per_op'])} | {ratio} | {fmt_queries(r['engine_queries_per_op'])} | "
            f"{fmt_queries(r['reference_queries_per_op'])} | {r['target']} | {met} |"
        )
    extras = [r for r in report["results"] if r["scenario"] == "S3" and r["available"]]
    if extras:
        lines.append("")
        for r in extras:
            x = r["extra"]
            lines.append(
                f"S3 {r['case']} ({r['database']}): {x['notification_insert_statements']} notification INSERTs, "
                f"{x['queries_besides_inserts']} other work statements in {x.get('fan_out_chunks', 1)} chunk(s); "
                "peak memory engine "
                f"{x['engine_peak_memory_kib']:,} KiB, reference {x['reference_peak_memory_kib']:,} KiB"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke mode: every scenario, tiny sizes, seconds")
    parser.add_argument("--db", choices=["all", "sqlite", "postgres"], default="all")
    parser.add_argument("--only", default="", help="comma-separated scenario names, e.g. S1,S3")
    parser.add_argument("--json", default="", help="where to write the JSON report (default: benchmarks/results/)")
    parser.add_argument("--s7-audience", type=int, help="S7's in-site audience (default 1,000,000; --quick 3,000)")
    parser.add_argument("--s7-email-audience", type=int, help="S7's e-mail audience (default 100,000; --quick 600)")
    args = parser.parse_args(argv)
    sizes = [f"--s7-audience={args.s7_audience}"] if args.s7_audience else []
    sizes += [f"--s7-email-audience={args.s7_email_audience}"] if args.s7_email_audience else []

    databases = ["sqlite", "postgres"] if args.db == "all" else [args.db]
    if args.db == "all" and not postgres_reachable():
        print("SKIPPED LOUDLY: PostgreSQL is not reachable at 127.0.0.1:5432; SQLite only.", file=sys.stderr)
        databases = ["sqlite"]
    results: list[dict[str, Any]] = []
    versions: dict[str, str] = {}
    status = 0
    for database in databases:
        part, code = run_database(database, args.quick, args.only, sizes)
        status = status or code
        if part is not None:
            versions[database] = part["database_version"]
            results.extend(part["results"])
    report = {
        "environment": environment(versions),
        "quick": args.quick,
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "queries_note": QUERIES_NOTE,
        "results": results,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    path = Path(args.json) if args.json else RESULTS_DIR / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(table(report))
    print(f"\nJSON report: {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
