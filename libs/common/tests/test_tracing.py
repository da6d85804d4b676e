"""Tracing: spans for requests and queries, no network without an endpoint, context carried in headers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from fitjourney_common.observability.tracing import (
    extract_trace_context,
    inject_trace_headers,
    instrument_fastapi,
    instrument_sqlalchemy,
)


def run_python(code: str) -> str:
    # A fresh process: the tracer provider can be installed only once per process.
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_an_endpoint_nothing_is_installed_or_instrumented() -> None:
    out = run_python("""
        from opentelemetry import trace
        from fastapi import FastAPI
        from fitjourney_common.observability.tracing import configure_tracing, tracing_enabled
        from fitjourney_common.service_defaults import install_service_defaults
        from fitjourney_common.settings import CommonSettings
        print(configure_tracing("core", None), tracing_enabled())
        app = FastAPI()
        install_service_defaults(app, CommonSettings(service_name="core"), readiness={})
        print(sorted(m.cls.__name__ for m in app.user_middleware))
        with trace.get_tracer("t").start_as_current_span("s") as span:
            print(span.get_span_context().is_valid)
        import sys
        print(sorted(m for m in ("opentelemetry.sdk.trace", "opentelemetry.instrumentation") if m in sys.modules))
    """)
    assert out.splitlines() == [
        "False False",
        "['BodyGuardMiddleware', 'PrometheusMiddleware', 'RequestContextMiddleware', 'SecurityHeadersMiddleware']",
        "False",  # no span bookkeeping at all
        "[]",  # nor the SDK and instrumentations in memory (1.6 MiB in every process)
    ]


def test_a_provider_installed_by_a_launcher_is_kept_and_used() -> None:
    # As `opentelemetry-instrument` does before the app is imported: the SDK's provider, no endpoint of ours.
    out = run_python("""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
        from fitjourney_common.observability.tracing import configure_tracing, tracing_enabled
        print(tracing_enabled(), configure_tracing("core", None), trace.get_tracer_provider() is provider)
    """)
    assert out == "True True True"


def test_with_an_endpoint_spans_go_to_its_otlp_traces_url_sampled_as_configured() -> None:
    out = run_python("""
        from opentelemetry import trace
        from fastapi import FastAPI
        from fitjourney_common.observability.tracing import configure_tracing
        from fitjourney_common.service_defaults import install_service_defaults
        from fitjourney_common.settings import CommonSettings
        settings = CommonSettings(service_name="auth", otlp_endpoint="http://otel-collector:4318",
                                  trace_sample_ratio=0.25)
        app = FastAPI()
        install_service_defaults(app, settings, readiness={})
        provider = trace.get_tracer_provider()
        (processor,) = provider._active_span_processor._span_processors
        print(type(processor).__name__, processor._batch_processor._exporter._endpoint)
        print(provider.resource.attributes["service.name"], provider.sampler.get_description())
        print(configure_tracing("ai", None))  # a second service in the same process: tracing stays on
    """)
    exporter, sampler, second = out.splitlines()
    assert exporter == "BatchSpanProcessor http://otel-collector:4318/v1/traces"
    assert sampler.startswith("auth ParentBased{root:TraceIdRatioBased{0.25},")
    assert second == "True"


async def test_requests_get_server_spans_except_probes_and_scrapes(spans: InMemorySpanExporter) -> None:
    app = FastAPI()

    @app.get("/api/v1/workouts/{workout_id}")
    async def get_workout(workout_id: int) -> dict[str, int]:
        return {"id": workout_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    async def metrics() -> str:
        return ""

    instrument_fastapi(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        await client.get("/healthz")
        await client.get("/metrics")
        await client.get("/api/v1/workouts/7")

    server_spans = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [(s.attributes or {}).get("http.route") for s in server_spans] == ["/api/v1/workouts/{workout_id}"]


async def test_queries_get_client_spans_once_per_query(spans: InMemorySpanExporter, tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'trace.db'}")
    instrument_sqlalchemy(engine)
    instrument_sqlalchemy(engine)

    with trace.get_tracer(__name__).start_as_current_span("request") as parent:
        async with engine.connect() as conn:
            await conn.execute(text("select 42"))
    await engine.dispose()

    # Only this trace: other suites' background workers may finish spans of their own meanwhile.
    query_spans = [s for s in spans.get_finished_spans()
                   if s.kind is SpanKind.CLIENT and s.context.trace_id == parent.get_span_context().trace_id]
    assert len(query_spans) == 1
    assert "select 42" in str(query_spans[0].attributes)


async def test_trace_context_travels_through_message_headers(spans: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span("publish workout.created") as publisher:
        headers = inject_trace_headers()
    trace_id = publisher.get_span_context().trace_id

    assert headers["traceparent"].split("-")[1] == format(trace_id, "032x")
    # AMQP clients may hand header values back as bytes.
    as_received = {key: value.encode() for key, value in headers.items()}
    with tracer.start_as_current_span("consume workout.created", context=extract_trace_context(as_received)) as c:
        assert c.get_span_context().trace_id == trace_id


def test_no_trace_headers_means_a_fresh_trace() -> None:
    context = extract_trace_context({"x-death": [{"count": 1}], "content-type": "application/json"})
    assert not trace.get_current_span(context).get_span_context().is_valid
