"""OpenTelemetry metrics and spans of the pipeline; a no-op without ``opentelemetry-api``.

Install the extra (``pip install "django-signal-notifier[opentelemetry]"``) and configure an SDK as
usual: the package then reports

* ``signal_notifier.deliveries`` (counter; attributes ``channel``, ``status``): every recorded outcome;
* ``signal_notifier.delivery.latency`` (histogram, seconds; ``channel``): event → sent;
* ``signal_notifier.fanout.chunk.duration`` (histogram, seconds; ``verb``): one fan-out chunk;
* ``signal_notifier.fanout.duration`` (histogram, seconds; ``verb``): event → its last chunk written;
* spans ``signal_notifier.fan_out_chunk`` and ``signal_notifier.send_batch``.

Without an SDK the API's own no-op objects answer; without the API installed, this module's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

try:
    from opentelemetry import metrics as _otel_metrics
    from opentelemetry import trace as _otel_trace
except ImportError:  # the optional extra is not installed
    _otel_metrics = _otel_trace = None  # type: ignore[assignment]

SCOPE = "django_signal_notifier"


class _Instruments:
    """The meter's instruments and the tracer, made once from the providers in use."""

    def __init__(self, meter_provider: Any = None, tracer_provider: Any = None) -> None:
        meter = (meter_provider or _otel_metrics).get_meter(SCOPE)
        self.tracer = (tracer_provider or _otel_trace).get_tracer(SCOPE)
        self.deliveries = meter.create_counter(
            "signal_notifier.deliveries", unit="{delivery}", description="Delivery outcomes recorded, by status"
        )
        self.latency = meter.create_histogram(
            "signal_notifier.delivery.latency", unit="s", description="From the event to the message sent"
        )
        self.chunk_duration = meter.create_histogram(
            "signal_notifier.fanout.chunk.duration", unit="s", description="One fan-out chunk, written and committed"
        )
        self.fanout_duration = meter.create_histogram(
            "signal_notifier.fanout.duration", unit="s", description="From the event to its last fan-out chunk"
        )


_instruments: _Instruments | None = None


def use(meter_provider: Any = None, tracer_provider: Any = None) -> None:
    """Report to these providers instead of the global ones (tests, or an app with its own providers)."""
    global _instruments
    _instruments = _Instruments(meter_provider, tracer_provider) if _otel_metrics is not None else None


def _get() -> _Instruments | None:
    global _instruments
    if _instruments is None and _otel_metrics is not None:
        _instruments = _Instruments()
    return _instruments


def delivery_outcomes(channel: str, status: str, count: int = 1) -> None:
    """Count ``count`` outcomes ``status`` on ``channel``."""
    instruments = _get()
    if instruments is not None and count:
        instruments.deliveries.add(count, {"channel": channel, "status": status})


def delivery_latency(channel: str, seconds: float) -> None:
    """Record how long one message took from its event to being sent."""
    instruments = _get()
    if instruments is not None:
        instruments.latency.record(max(0.0, seconds), {"channel": channel})


def fanout_finished(verb: str, seconds: float) -> None:
    """Record how long an event took from its creation to its last chunk written."""
    instruments = _get()
    if instruments is not None:
        instruments.fanout_duration.record(max(0.0, seconds), {"verb": verb})


@contextmanager
def fanout_chunk(verb: str, event_id: int, step: int) -> Iterator[None]:
    """A span around one fan-out chunk, and its duration."""
    instruments = _get()
    if instruments is None:
        yield
        return
    started = time.perf_counter()
    attributes = {"signal_notifier.verb": verb, "signal_notifier.event_id": event_id, "signal_notifier.step": step}
    with instruments.tracer.start_as_current_span("signal_notifier.fan_out_chunk", attributes=attributes):
        yield
    instruments.chunk_duration.record(time.perf_counter() - started, {"verb": verb})


def send_batch(channel: str, size: int) -> Any:
    """A span around one messenger's ``send_batch`` (a context manager)."""
    instruments = _get()
    if instruments is None:
        return nullcontext()
    attributes = {"signal_notifier.channel": channel, "signal_notifier.messages": size}
    return instruments.tracer.start_as_current_span("signal_notifier.send_batch", attributes=attributes)
