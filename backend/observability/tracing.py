"""OpenTelemetry traces: set up once per process, off unless a collector is configured.

`setup_tracing` installs a tracer provider only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
(or a test hands in an exporter); otherwise nothing is instrumented and every span below
is OpenTelemetry's no-op span, so tracing costs next to nothing when it is off.

A trace crosses processes with the W3C trace context (`traceparent`, `tracestate`):
`trace_carrier()` takes it from the current span (the outbox stores it with each event,
the relay passes it on with each job) and `continued_span()` opens a span under it in the
next process, so one trace runs from a checkout request to the e-mail it caused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.sdk.environment_variables import OTEL_TRACES_SAMPLER
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import INVALID_SPAN, Link, Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from backend.settings import get_settings

logger = logging.getLogger(__name__)

TRACER_NAME = "kestrel.shop"
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
# Unless OTEL_TRACES_SAMPLER says otherwise, 1 new trace in 100 is kept (and a caller's
# sampled trace always followed). Keeping every trace costs about a third of a busy web
# process's throughput; 1 % stays within the 5 % budget (bench/observability_overhead.py).
DEFAULT_TRACE_RATIO = 0.01

# Only the W3C trace context crosses process boundaries (never baggage: it would carry
# whatever a caller planted into every downstream call).
_propagator = TraceContextTextMapPropagator()


class _Installed:
    """What `setup_tracing` installed in this process; while tracing is off, OpenTelemetry's
    no-op tracer, whose spans record nothing."""

    provider: TracerProvider | None = None
    tracer: trace.Tracer = trace.NoOpTracer()
    # The share of new traces kept, when the shop's default sampler decides (None when
    # OTEL_TRACES_SAMPLER chose another): a request without a caller's trace is decided
    # before any span is made, and a dropped one makes none.
    head_ratio: float | None = None


def tracing_enabled() -> bool:
    return _Installed.provider is not None


def tracer_provider() -> TracerProvider | None:
    """The provider `setup_tracing` installed, None while tracing is off."""
    return _Installed.provider


def setup_tracing(default_service_name: str, *, exporter: SpanExporter | None = None) -> bool:
    """Turn tracing on for this process when a collector is configured (or `exporter` is
    given: tests collect spans in memory); returns whether tracing is on. Called again,
    it adds the exporter to the provider already installed."""
    settings = get_settings()
    endpoint = settings.otel_exporter_otlp_endpoint
    if exporter is None and endpoint is None:
        return tracing_enabled()
    provider = _Installed.provider
    if provider is None:
        attributes: dict[str, Any] = {}
        if settings.otel_service_name is None:
            # OTEL_SERVICE_NAME, when set, is read by Resource.create itself.
            attributes[SERVICE_NAME] = default_service_name
        else:
            attributes[SERVICE_NAME] = settings.otel_service_name
        sampler = _sampler()
        provider = TracerProvider(resource=Resource.create(attributes), sampler=sampler)
        _Installed.head_ratio = None if sampler is None else DEFAULT_TRACE_RATIO
        if endpoint is not None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(endpoint)))
            )
        trace.set_tracer_provider(provider)
        _Installed.provider = provider
        _Installed.tracer = provider.get_tracer(TRACER_NAME)
        _instrument_libraries(provider)
    if exporter is not None:
        # In-memory exporters want every span at once, not in batches.
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return True


def stop_tracing() -> None:
    """Tracing off again (tests that turned it on): the libraries are no longer
    instrumented and new spans record nothing; spans already ended are flushed."""
    provider = _Installed.provider
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    for instrumentor in (PsycopgInstrumentor(), RedisInstrumentor(), HTTPXClientInstrumentor()):
        instrumentor.uninstrument()
    provider.force_flush()
    _Installed.provider = None
    _Installed.tracer = trace.NoOpTracer()
    _Installed.head_ratio = None


# Set in the context a request's server span starts under when `server_span` has already
# decided to keep its new trace.
_KEPT_AT_THE_DOOR = otel_context.create_key("kestrel.kept-at-the-door")


class _NewTraceSampler(Sampler):
    """New traces: those `server_span` kept at the door, and a share of the rest (jobs,
    Reflex events) by trace id, as OpenTelemetry's TraceIdRatioBased."""

    def __init__(self, ratio: float) -> None:
        self._by_ratio = TraceIdRatioBased(ratio)

    def should_sample(  # noqa: PLR0917 (the SDK's signature)
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if otel_context.get_value(_KEPT_AT_THE_DOOR, parent_context):
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)
        return self._by_ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"NewTraceSampler{{{self._by_ratio.rate}}}"


def _sampler() -> Sampler | None:
    """The shop's default sampler, or None: the SDK then reads OTEL_TRACES_SAMPLER (and
    OTEL_TRACES_SAMPLER_ARG) as the OpenTelemetry specification says."""
    if os.environ.get(OTEL_TRACES_SAMPLER):
        return None
    return ParentBased(_NewTraceSampler(DEFAULT_TRACE_RATIO))


def _traces_url(endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base address; traces go to
    /v1/traces under it (as the OTLP exporter specification says)."""
    return endpoint.rstrip("/") + "/v1/traces"


def _instrument_libraries(provider: TracerProvider) -> None:
    """Client spans for PostgreSQL (psycopg), Redis and outgoing HTTP (httpx: webhooks,
    Stripe's own client is not httpx). Statements are recorded with placeholders only."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    PsycopgInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)


@contextmanager
def span(
    name: str, attributes: Mapping[str, Any] | None = None, *, kind: SpanKind = SpanKind.INTERNAL
) -> Iterator[Span]:
    """A span under the current one (a no-op span while tracing is off). Attributes must
    never hold personal data or secrets: ids, names of templates, counts."""
    tracer = _Installed.tracer
    with tracer.start_as_current_span(name, kind=kind, attributes=dict(attributes or {})) as s:
        yield s


def trace_carrier() -> dict[str, str] | None:
    """The current span's W3C trace context (`traceparent`, and `tracestate` when there is
    one), or None when no span is recording."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return {key: value for key, value in carrier.items() if key in (TRACEPARENT, TRACESTATE)}


@contextmanager
def continued_span(
    name: str,
    carrier: Mapping[str, Any] | None,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: SpanKind = SpanKind.CONSUMER,
) -> Iterator[Span]:
    """A span that continues the trace `carrier` came from (stored with an outbox event,
    passed with a job); without a usable carrier, a new trace. Only string `traceparent`
    and `tracestate` are read from it: it was stored as data and is read as data."""
    fields = {
        key: value
        for key, value in (carrier or {}).items()
        if key in (TRACEPARENT, TRACESTATE) and isinstance(value, str)
    }
    with _span_continuing(name, fields, attributes or {}, kind) as s:
        yield s


@contextmanager
def server_span(
    name: str, carrier: Mapping[str, str], attributes: Mapping[str, Any]
) -> Iterator[Span]:
    """The span of one HTTP request, continuing the caller's W3C trace context (the
    `traceparent` and `tracestate` headers in `carrier`). Without one, under the default
    sampler, the new trace is decided here first: a dropped one (most) makes no span at
    all, as even a non-recording span costs a busy process a few per cent."""
    base = otel_context.Context()
    ratio = _Installed.head_ratio
    if ratio is not None and TRACEPARENT not in carrier:
        if random.random() >= ratio:  # noqa: S311 (a sampling draw, not a secret)
            token = otel_context.attach(otel_context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
            try:
                yield INVALID_SPAN
            finally:
                otel_context.detach(token)
            return
        base = otel_context.set_value(_KEPT_AT_THE_DOOR, True, base)
    with _span_continuing(name, carrier, attributes, SpanKind.SERVER, base=base) as s:
        yield s


@contextmanager
def _span_continuing(
    name: str,
    carrier: Mapping[str, str],
    attributes: Mapping[str, Any],
    kind: SpanKind,
    *,
    base: otel_context.Context | None = None,
) -> Iterator[Span]:
    """The current span until the block ends, under the trace `carrier` names (else a new
    one). Made by hand, as it runs for every request: one context attach, where the SDK's
    `start_as_current_span` nests four context managers. Inside a trace the sampler
    dropped, the libraries' client spans are skipped: they would record nothing, at the
    instrumentation's full cost each."""
    parent = _propagator.extract(carrier, context=base or otel_context.Context())
    current = _Installed.tracer.start_span(
        name, context=parent, kind=kind, attributes=dict(attributes)
    )
    inner = trace.set_span_in_context(current, parent)
    if not current.is_recording():
        inner = otel_context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True, inner)
    token = otel_context.attach(inner)
    try:
        yield current
    except Exception as error:
        if current.is_recording():
            current.record_exception(error)
            current.set_status(StatusCode.ERROR, type(error).__name__)
        raise
    finally:
        otel_context.detach(token)
        current.end()


def set_span_attributes(attributes: Mapping[str, Any]) -> None:
    """Adds attributes to the current span (nothing when no span is recording)."""
    current = trace.get_current_span()
    if current.is_recording():
        current.set_attributes(dict(attributes))


def pseudonym(value: object, *, key: bytes) -> str:
    """A stable pseudonym for an id (a viewer, an account) to correlate spans without
    naming anyone: an HMAC under `key` (derived from SECRET_KEY for this purpose, see
    backend/core/keys.py), so the ids' small space cannot be searched from a trace alone."""
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:16]


def current_trace_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span in hex, or None when there is none."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
