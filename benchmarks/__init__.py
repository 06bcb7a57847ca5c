"""Benchmarks of django-signal-notifier: each hot path beside its raw-Django reference.

Run ``python -m benchmarks`` (``make bench``), or ``python -m benchmarks --quick`` for the smoke mode.
"""

# The scenarios, in order; each is a module of benchmarks.scenarios (importable without Django).
SCENARIO_NAMES = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8")
