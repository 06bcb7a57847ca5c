"""One module per scenario; each has NAME, TITLE, TARGET and run(settings) -> list[Result]."""

from __future__ import annotations

from types import ModuleType

from benchmarks import SCENARIO_NAMES
from benchmarks.scenarios import (
    s1_idle_tax,
    s2_single_recipient,
    s3_fanout,
    s4_email,
    s5_inbox,
    s6_worker,
    s7_big_audience,
    s8_workflow_steps,
)

SCENARIOS: list[ModuleType] = [
    s1_idle_tax,
    s2_single_recipient,
    s3_fanout,
    s4_email,
    s5_inbox,
    s6_worker,
    s7_big_audience,
    s8_workflow_steps,
]

if tuple(module.NAME for module in SCENARIOS) != SCENARIO_NAMES:
    raise ImportError("benchmarks.SCENARIO_NAMES and benchmarks.scenarios.SCENARIOS disagree")
