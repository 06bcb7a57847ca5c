"""One database's run, in its own process (the settings name one database).

``python -m benchmarks.runner --db sqlite --out FILE [--quick] [--only S1,S2] [--s7-audience N]``; the parent,
:mod:`benchmarks.cli`, runs this once per database and merges the reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def fresh_postgres_database(name: str) -> None:
    """Drop and create the benchmark database (user postgres, trust, on loopback)."""
    import psycopg

    params = {
        "host": os.environ.get("DSN_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("DSN_PG_PORT", "5432"),
        "user": os.environ.get("DSN_PG_USER", "postgres"),
        "dbname": "postgres",
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def fresh_sqlite_database(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.runner")
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--s7-audience", type=int, default=None)
    parser.add_argument("--s7-email-audience", type=int, default=None)
    args = parser.parse_args(argv)

    os.environ["DSN_BENCH_DB"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    from benchmarks import settings as bench_settings

    bench_settings.RESULTS_DIR.mkdir(exist_ok=True)
    # Every run starts from a freshly migrated database: figures never depend on leftovers.
    if args.db == "postgres":
        fresh_postgres_database(bench_settings.DATABASES["default"]["NAME"])
    else:
        fresh_sqlite_database(str(bench_settings.DATABASES["default"]["NAME"]))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.harness import Result, Settings, reset_data
    from benchmarks.scenarios import SCENARIOS

    call_command("migrate", verbosity=0)
    settings = Settings(
        quick=args.quick, vendor=connection.vendor, audience=args.s7_audience, email_audience=args.s7_email_audience
    )
    only = {name.strip().upper() for name in args.only.split(",") if name.strip()}
    results: list[dict[str, Any]] = []
    failures = 0
    for scenario in SCENARIOS:
        if only and scenario.NAME not in only:
            continue
        started = time.perf_counter()
        print(f"[{args.db}] {scenario.NAME} {scenario.TITLE} …", file=sys.stderr, flush=True)
        try:
            reset_data()
            outcome: list[Result] = scenario.run(settings)
        except Exception as error:
            failures += 1
            traceback.print_exc()
            outcome = [Result(scenario.NAME, "error", scenario.TARGET, available=False, notes=f"error: {error!r}")]
        finally:
            connection.close()
        for result in outcome:
            record = result.as_dict()
            record.update(database=args.db, title=scenario.TITLE, seconds=time.perf_counter() - started)
            results.append(record)
    reset_data()
    report = {"database": args.db, "database_version": database_version(), "results": results}
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, default=str)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
