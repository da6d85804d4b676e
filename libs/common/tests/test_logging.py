"""Log lines as an operator reads them: JSON with service, request id and the trace of the request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Receive, Scope, Send

from fitjourney_common.observability.logging import (
    ThrottledLogger,
    configure_logging,
    request_id_var,
    service_var,
)
from fitjourney_common.observability.tracing import instrument_fastapi

log = logging.getLogger("fitjourney.tests.logging")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back so other tests see pytest's setup."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    saved_uvicorn = {name: (lg.level, list(lg.handlers), lg.propagate)
                     for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
                     for lg in [logging.getLogger(name)]}
    yield
    root.handlers[:] = saved[1]
    root.setLevel(saved[0])
    for name, (level, handlers, propagate) in saved_uvicorn.items():
        lg = logging.getLogger(name)
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate = propagate


def json_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


class RequestIdMiddleware:
    """What a service's middleware does: bind the caller's X-Request-ID and the service for the request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        rid_token = request_id_var.set(headers.get(b"x-request-id", b"").decode() or None)
        service_token = service_var.set(self.service)
        try:
            await self.app(scope, receive, send)
        finally:
            request_id_var.reset(rid_token)
            service_var.reset(service_token)


async def test_log_line_of_a_request_has_its_request_id_and_trace_id(spans: InMemorySpanExporter) -> None:
    stream = io.StringIO()
    configure_logging("INFO", json=True, service="fitjourney", stream=stream)
    app = FastAPI()

    @app.post("/api/v1/workouts")
    async def create_workout() -> dict[str, str]:
        log.info("workout created", extra={"workout_id": "w-1"})
        return {"id": "w-1"}

    app.add_middleware(RequestIdMiddleware, service="core")
    instrument_fastapi(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/api/v1/workouts", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 200

    (line,) = [entry for entry in json_lines(stream) if entry["message"] == "workout created"]
    (server_span,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert line["request_id"] == "req-123"
    assert line["trace_id"] == format(server_span.context.trace_id, "032x")
    assert len(str(line["span_id"])) == 16
    assert line["service"] == "core"  # the request's service, not the process's configured name
    assert line["level"] == "INFO"
    assert line["logger"] == "fitjourney.tests.logging"
    assert line["workout_id"] == "w-1"
    assert "timestamp" in line


def test_outside_a_request_the_configured_service_is_used_and_ids_are_null() -> None:
    stream = io.StringIO()
    configure_logging("INFO", json=True, service="analytics", stream=stream)

    log.info("report ready")

    (line,) = json_lines(stream)
    assert line["service"] == "analytics"
    assert line["request_id"] is None
    assert line["trace_id"] is None


def test_configuring_twice_reconfigures_without_duplicate_lines() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", json=True, service="ai", stream=first)
    configure_logging("WARNING", json=True, service="ai", stream=second)

    log.info("hidden below WARNING")
    log.warning("model missing, using the offline fallback")

    assert first.getvalue() == ""
    assert [e["message"] for e in json_lines(second)] == ["model missing, using the offline fallback"]


def test_uvicorn_logs_come_out_in_the_same_shape() -> None:
    logging.getLogger("uvicorn.error").addHandler(logging.NullHandler())  # uvicorn's own handler, say
    stream = io.StringIO()
    configure_logging("INFO", json=True, service="auth", stream=stream)

    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/healthz",
                                             "1.1", 200)

    assert logging.getLogger("uvicorn.error").handlers == []
    (line,) = json_lines(stream)
    assert line["logger"] == "uvicorn.access"
    assert line["message"] == '127.0.0.1:5000 - "GET /healthz HTTP/1.1" 200'
    assert line["service"] == "auth"


def test_plain_text_mode_for_reading_on_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", json=False, service="core", stream=stream)
    token = request_id_var.set("req-9")
    try:
        log.debug("cache miss")
    finally:
        request_id_var.reset(token)

    assert "[core]" in stream.getvalue()
    assert "rid=req-9" in stream.getvalue()
    assert stream.getvalue().rstrip().endswith("cache miss")


def test_throttled_warnings_do_not_flood_the_log(caplog: pytest.LogCaptureFixture) -> None:
    throttled = ThrottledLogger(log, interval_seconds=3600)
    with caplog.at_level(logging.WARNING, logger=log.name):
        for _ in range(100):
            throttled.warning("redis", "redis down: %s", "refused")
        throttled.warning("broker", "broker down")

    assert [r.getMessage() for r in caplog.records] == ["redis down: refused", "broker down"]
