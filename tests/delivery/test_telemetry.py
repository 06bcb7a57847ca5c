"""OpenTelemetry metrics and spans of the pipeline, and the Prometheus recipe of docs/observability.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from django_signal_notifier import telemetry
from tests.support.factories import subscribe, user
from tests.testapp.models import Article

pytestmark = pytest.mark.django_db(transaction=True)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "observability.md"


class Reported:
    def __init__(self) -> None:
        self.reader = InMemoryMetricReader()
        self.spans = InMemorySpanExporter()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        telemetry.use(meter_provider=MeterProvider(metric_readers=[self.reader]), tracer_provider=tracer_provider)

    def points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        return [
            point
            for resource in (data.resource_metrics if data else [])
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]

    def span_names(self) -> list[str]:
        return [span.name for span in self.spans.get_finished_spans()]


@pytest.fixture
def reported() -> Iterator[Reported]:
    yield Reported()
    telemetry.use()  # back to the global (no-op) providers


def test_outcomes_latency_chunks_and_spans_are_reported(reported, settings, recorded):
    settings.SIGNAL_NOTIFIER = {**settings.SIGNAL_NOTIFIER, "FANOUT_CHUNK_SIZE": 2}
    subscribe("post_save", Article, users=[user("ann"), user("bob"), user("cy")])
    Article.objects.create(title="watched")
    assert len(recorded) == 3

    [sent] = reported.points("signal_notifier.deliveries")
    assert (dict(sent.attributes), sent.value) == ({"channel": "RecordingMessenger", "status": "sent"}, 3)
    [latency] = reported.points("signal_notifier.delivery.latency")
    assert latency.count == 3 and latency.attributes == {"channel": "RecordingMessenger"}
    [chunks] = reported.points("signal_notifier.fanout.chunk.duration")
    assert chunks.count == 2 and chunks.attributes == {"verb": "post_save"}  # 3 recipients, 2 per chunk
    [fan_out] = reported.points("signal_notifier.fanout.duration")
    assert fan_out.count == 1
    names = reported.span_names()
    assert names.count("signal_notifier.fan_out_chunk") == 2 and "signal_notifier.send_batch" in names


def test_without_the_opentelemetry_api_every_call_is_a_no_op(monkeypatch, recorded):
    monkeypatch.setattr(telemetry, "_otel_metrics", None)
    monkeypatch.setattr(telemetry, "_instruments", None)
    subscribe("post_save", Article, users=[user("ann")])
    Article.objects.create(title="unwatched")
    assert len(recorded) == 1
    assert telemetry._instruments is None


def test_the_prometheus_recipe_counts_sent_and_failed_messages(recorded):
    from prometheus_client import REGISTRY

    from django_signal_notifier.signals import notification_failed, notification_sent

    recipe = re.search(r'```python title="myapp/metrics.py"\n(.*?)```', DOCS.read_text(), re.S)
    assert recipe is not None
    namespace: dict[str, Any] = {}
    exec(compile(recipe.group(1), str(DOCS), "exec"), namespace)  # the page's code, as written
    try:
        subscribe("post_save", Article, users=[user("ann"), user("bob")])
        Article.objects.create(title="counted")
        assert REGISTRY.get_sample_value("signal_notifier_sent_total", {"channel": "RecordingMessenger"}) == 2
        namespace["count_failed"](sender=None, delivery=type("D", (), {"channel": "Email"})(), final=True)
        assert REGISTRY.get_sample_value("signal_notifier_failed_total", {"channel": "Email", "final": "true"}) == 1
    finally:
        notification_sent.disconnect(namespace["count_sent"])
        notification_failed.disconnect(namespace["count_failed"])
        REGISTRY.unregister(namespace["SENT"])
        REGISTRY.unregister(namespace["FAILED"])
