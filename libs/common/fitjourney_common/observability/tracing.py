"""OpenTelemetry tracing: one provider per process, FastAPI and SQLAlchemy spans, W3C context in headers.

Tracing costs nothing unless it is configured: without an OTLP endpoint (and no SDK provider installed by
someone else, such as the `opentelemetry-instrument` launcher) no provider is installed and nothing is
instrumented, so requests and queries run without span bookkeeping; manual spans are no-ops."""

from __future__ import annotations

import logging
import sys
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)

# Probes and scrapes run every few seconds and would drown the real traces.
EXCLUDED_URLS = "/healthz$,/readyz$,/metrics$"
OTLP_TRACES_PATH = "/v1/traces"

_lock = threading.Lock()
_provider: TracerProvider | None = None
_traced_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _traces_url(endpoint: str) -> str:
    # OTEL_EXPORTER_OTLP_ENDPOINT convention: a base URL; the HTTP exporter wants the full traces URL.
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(OTLP_TRACES_PATH) else endpoint + OTLP_TRACES_PATH


def configure_tracing(service: str, otlp_endpoint: str | None, sample_ratio: float = 1.0) -> bool:
    """Install the process's TracerProvider once, exporting to `otlp_endpoint`; True when tracing is on.

    Without an endpoint nothing is installed (unless an SDK provider already is) and the caller instruments
    nothing. With one, `sample_ratio` of the traces that start here are kept (TRACE_SAMPLE_RATIO), and a
    trace started upstream keeps its caller's decision (parent-based). In embedded dev mode the first
    service to call this names the process's resource.
    """
    global _provider
    with _lock:
        if _provider is not None:
            return True
        existing = _sdk_provider()
        if existing is not None:
            # Someone (e.g. the opentelemetry-instrument launcher) already installed an SDK provider: keep it.
            _provider = existing
            return True
        if not otlp_endpoint:
            return False
        # Imported only when needed: the exporter pulls in requests/protobuf machinery.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}),
                                  sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(otlp_endpoint))))
        log.info("exporting traces to %s, sampling %.0f %%", _traces_url(otlp_endpoint), 100 * sample_ratio)
        trace.set_tracer_provider(provider)
        _provider = provider
        return True


def native_telemetry(otlp_endpoint: str | None) -> TelemetryConfig | None:
    """FastAPI's own OpenTelemetry support (`FastAPI(telemetry=...)`): off when this process will not trace
    (no endpoint, no SDK provider installed), since it asks the three global providers on every request
    whether it is on (~4 µs); FastAPI's default otherwise, beside `instrument_fastapi`."""
    if otlp_endpoint or tracing_enabled():
        return None
    return {"tracing": False, "metrics": False, "logs": False}


def _sdk_provider() -> TracerProvider | None:
    # An SDK provider exists only if something imported the SDK: a process that does not trace never does.
    provider = trace.get_tracer_provider()  # first: OTEL_PYTHON_TRACER_PROVIDER may import the SDK here
    sdk = sys.modules.get("opentelemetry.sdk.trace")
    return provider if sdk is not None and isinstance(provider, sdk.TracerProvider) else None


def tracing_enabled() -> bool:
    """Whether an SDK provider records spans in this process (so instrumenting is worth its cost)."""
    return _sdk_provider() is not None


def instrument_fastapi(app: FastAPI) -> None:
    """Open a server span per request (health probes and metric scrapes excluded)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=EXCLUDED_URLS)


def instrument_sqlalchemy(engine: AsyncEngine | Engine) -> None:
    """Open a client span per query on this engine; instrumenting the same engine twice is a no-op."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    with _lock:
        if sync_engine in _traced_engines:
            return
        _traced_engines.add(sync_engine)
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    # EngineTracer directly, not SQLAlchemyInstrumentor: the instrumentor is a process singleton that
    # accepts one engine and would also patch create_engine globally.
    connections_usage = metrics.get_meter(__name__).create_up_down_counter(
        "db.client.connections.usage", unit="connections")
    EngineTracer(trace.get_tracer(__name__), sync_engine, connections_usage)


def inject_trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers (traceparent, tracestate, baggage), e.g. for AMQP messages."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_trace_context(headers: Mapping[str, Any]) -> Context:
    """The trace context carried by message headers; AMQP may hand values over as bytes."""
    carrier = {
        str(key).lower(): value.decode("latin-1") if isinstance(value, bytes) else str(value)
        for key, value in headers.items()
        if value is not None
    }
    return propagate.extract(carrier)
