"""Models used only by the benchmarks (no migrations: created with ``migrate --run-syncdb``)."""
