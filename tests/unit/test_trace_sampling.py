"""Which traces the shop keeps: by default 1 in 100 new ones, every one a caller sampled;
the standard OTEL_TRACES_SAMPLER variable overrides that."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from backend.observability.tracing import (
    DEFAULT_TRACE_RATIO,
    server_span,
    setup_tracing,
    span,
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


def requests(count: int, traceparent: str | None = None) -> list[bool]:
    """Serves `count` requests' spans; whether each let the libraries make client spans."""
    carrier = {"traceparent": traceparent} if traceparent else {}
    instrumented = []
    for _ in range(count):
        with server_span("GET", carrier, {}):
            instrumented.append(is_instrumentation_enabled())
    return instrumented


def assert_about_the_default_share(kept: int) -> None:
    expected = ROOTS * DEFAULT_TRACE_RATIO  # 200; a binomial's spread is about 14
    assert expected * 0.6 < kept < expected * 1.4


def test_by_default_about_one_new_request_trace_in_a_hundred_is_kept(
    exporter: InMemorySpanExporter,
) -> None:
    setup_tracing("shop-test", exporter=exporter)
    instrumented = requests(ROOTS)
    kept = exporter.get_finished_spans()
    assert_about_the_default_share(len(kept))
    assert all(s.name == "GET" and s.parent is None for s in kept)
    # Inside a dropped trace the libraries' client spans are skipped; inside a kept one not.
    assert instrumented.count(True) == len(kept)


def test_new_traces_outside_requests_are_kept_in_the_same_share(
    exporter: InMemorySpanExporter,
) -> None:
    setup_tracing("shop-test", exporter=exporter)
    for _ in range(ROOTS):
        with span("job"):
            pass
    assert_about_the_default_share(len(exporter.get_finished_spans()))


def test_a_callers_decision_is_followed(exporter: InMemorySpanExporter) -> None:
    setup_tracing("shop-test", exporter=exporter)
    assert all(requests(50, SAMPLED_PARENT))
    assert not any(requests(50, UNSAMPLED_PARENT))
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
