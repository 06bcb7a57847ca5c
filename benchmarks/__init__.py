"""Benchmarks of django-signal-notifier: each hot path beside its raw-Django reference.

Run ``python -m benchmarks`` (``make bench``), or ``python -m benchmarks --quick`` for the smoke mode.
"""
