"""Which traces the shop keeps: by default 1 in 100 new ones, every one a caller sampled;
the standard OTEL_TRACES_SAMPLER variable overrides that."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from backend.observability.tracing import (
    DEFAULT_TRACE_RATIO,
    server_span,
    setup_tracing,
    stop_tracing,
)

ROOTS = 20_000
SAMPLED_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
UNSAMPLED_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    monkeypatch.delenv("OTEL_TRACES_SAMPLER_ARG", raising=False)
    spans = InMemorySpanExporter()
    yield spans
    stop_tracing()


def requests(count: int, traceparent: str | None = None) -> None:
    carrier = {"traceparent": traceparent} if traceparent else {}
    for _ in range(count):
        with server_span("GET", carrier, {}):
            pass


def test_by_default_about_one_new_trace_in_a_hundred_is_kept(
    exporter: InMemorySpanExporter,
) -> None:
    setup_tracing("shop-test", exporter=exporter)
    requests(ROOTS)
    kept = len(exporter.get_finished_spans())
    expected = ROOTS * DEFAULT_TRACE_RATIO  # 200; a binomial's spread is about 14
    assert expected * 0.6 < kept < expected * 1.4


def test_a_callers_decision_is_followed(exporter: InMemorySpanExporter) -> None:
    setup_tracing("shop-test", exporter=exporter)
    requests(50, SAMPLED_PARENT)
    requests(50, UNSAMPLED_PARENT)
    spans = exporter.get_finished_spans()
    assert len(spans) == 50
    assert {span.context.trace_id for span in spans} == {0x0AF7651916CD43DD8448EB211C80319C}


def test_the_standard_variable_overrides_the_default(
    exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_on")
    setup_tracing("shop-test", exporter=exporter)
    requests(100)
    assert len(exporter.get_finished_spans()) == 100
