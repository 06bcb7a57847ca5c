"""S1 idle tax: create a model no trigger names while 50 other models each have a trigger.

Fidelity: the 50 triggers are on 50 *distinct* models (``benchapp.Watched00`` … ``Watched49``),
each with an enabled subscription to a backend, so the trigger index really holds 50 sender
models, as a project with 50 notifying models would. (50 triggers on a handful of existing
models with different object filters would put fewer keys in the index and test less.)
The creates are timed inside an open transaction (the commit is not timed) so the commit's
fsync does not drown the receivers' cost: the harshest setting for the ratio.
Reference: the same creates with the package's receivers disconnected.
"""

from __future__ import annotations

import gc
import statistics
import time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from benchmarks.benchapp.models import WATCHED_MODELS, Idle
from benchmarks.harness import (
    Result,
    Settings,
    count_queries,
    make_users,
    receivers_disconnected,
    refresh_index,
    time_per_op,
)

NAME = "S1"
TITLE = "idle tax"
TARGET = "ratio ≤ 1.02, 0 extra queries"


def setup_triggers() -> None:
    from django_signal_notifier.models import Backend, Subscription, Trigger

    (user,) = make_users(1, "s1_")
    backend = Backend.objects.create(messenger="InSiteMessenger")
    for model in WATCHED_MODELS:
        trigger = Trigger.objects.create(
            verb="post_save", action_object_content_type=ContentType.objects.get_for_model(model)
        )
        subscription = Subscription.objects.create(trigger=trigger)
        subscription.backends.add(backend)
        subscription.receiver_users.add(user)
    refresh_index()


def run(settings: Settings) -> list[Result]:
    from django_signal_notifier.config.index import trigger_index

    setup_triggers()
    # the package's own models are also keys (mapped to no trigger), so count the real ones
    watched = [model for model, specs in trigger_index._tables["post_save"].by_sender.items() if specs]
    assert len(watched) == len(WATCHED_MODELS), watched
    ops = settings.pick(200, 20)
    rounds = settings.pick(41, 5)

    def create() -> None:
        Idle.objects.create(name="idle")

    def batch() -> tuple[float, float]:
        """Wall and CPU seconds per create (CPU time is what the receivers add, and it does not
        count the time other processes take from this one on a busy machine)."""
        with transaction.atomic():
            cpu = time.process_time()
            wall = time_per_op(create, ops)
            return wall, (time.process_time() - cpu) / ops

    budget = settings.pick(30.0, 3.0)
    started = time.perf_counter()
    engine_times: list[tuple[float, float]] = []
    reference_times: list[tuple[float, float]] = []
    batch()
    for index in range(rounds):
        gc.collect()
        with receivers_disconnected():
            reference = batch() if index % 2 else None
        engine_times.append(batch())
        with receivers_disconnected():
            reference_times.append(reference if reference is not None else batch())
        if index >= 4 and time.perf_counter() - started > budget:
            break
    engine_s, reference_s = (statistics.median(t[0] for t in times) for times in (engine_times, reference_times))
    engine_cpu, reference_cpu = (statistics.median(t[1] for t in times) for times in (engine_times, reference_times))
    refresh_index()  # the stamp read (once per CONFIG_CHECK_INTERVAL) is not a per-create cost
    engine_q = count_queries(create, 10)
    with receivers_disconnected():
        reference_q = count_queries(create, 10)
    result = Result(
        NAME,
        "create Idle; 50 other models have triggers",
        TARGET,
        engine_s,
        reference_s,
        "the same create, receivers disconnected",
        engine_q,
        reference_q,
    )
    ratio = result.ratio or 0.0
    result.met = ratio <= 1.02 and engine_q.all == reference_q.all
    result.notes = f"CPU-time ratio {engine_cpu / reference_cpu:.2f}×"
    result.extra = {
        "creates_per_round": ops,
        "rounds": len(engine_times),
        "engine_cpu_s_per_op": engine_cpu,
        "reference_cpu_s_per_op": reference_cpu,
        "cpu_ratio": engine_cpu / reference_cpu,
    }
    return [result]
