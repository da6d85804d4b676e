"""Prometheus metrics shared by every service in a process, plus the HTTP and database instrumentation."""

from __future__ import annotations

import time
import weakref
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Defined once per process: in embedded dev mode the four services share this registry,
# so every metric carries a `service` label instead of each service registering its own.
HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"])
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds", "Time to handle an HTTP request, until the last body byte",
    ["service", "method", "route"])
HTTP_IN_PROGRESS = Gauge("http_requests_in_progress", "HTTP requests being handled", ["service"])
CACHE_REQUESTS = Counter("cache_requests_total", "Cache look-ups by outcome", ["service", "cache", "result"])
DB_QUERY_DURATION = Histogram(
    "db_query_duration_seconds", "Time spent in database cursor executions", ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
DB_POOL_CHECKED_OUT = Gauge("db_pool_checked_out", "Database connections in use", ["service"])
DB_POOL_SIZE = Gauge("db_pool_size", "Configured database pool size (without overflow)", ["service"])
EVENTS_PUBLISHED = Counter("events_published_total", "Events published to the broker", ["service", "type"])
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by consumers, by outcome", ["service", "type", "outcome"])
OUTBOX_PENDING = Gauge("outbox_pending", "Outbox events not yet published", ["service"])
BUSINESS_EVENTS = Counter(
    "business_events_total", "Business events such as workouts_completed, food_logged, sign_ins",
    ["service", "name"])

UNMATCHED_ROUTE = "unmatched"


def count_business_event(service: str, name: str, amount: int = 1) -> None:
    """Count a business event (e.g. "workouts_completed") for the dashboards."""
    BUSINESS_EVENTS.labels(service=service, name=name).inc(amount)


def _route_template(scope: Scope, route_at_entry: Any, root_path_at_entry: str) -> str:
    """The matched route's template, never the raw path, so label values stay bounded."""
    route = scope.get("route")
    if route is None or route is route_at_entry:
        return UNMATCHED_ROUTE
    root_path: str = scope.get("root_path", "")
    # Mounts below us extend root_path; their prefix belongs to the template too.
    mount_prefix = root_path[len(root_path_at_entry):] if root_path.startswith(root_path_at_entry) else ""
    if isinstance(route, Mount):
        # A mounted app without its own router (e.g. static files): everything under it is one route.
        return f"{mount_prefix}/{{path:path}}"
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return f"{mount_prefix}{path}" if isinstance(path, str) else UNMATCHED_ROUTE


class PrometheusMiddleware:
    """Pure ASGI, so streaming bodies are timed to their end; websockets and lifespan pass through."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self._in_progress = HTTP_IN_PROGRESS.labels(service=service)
        # The labelled children, looked up once each: `labels()` validates and sorts its arguments under a
        # lock on every call. As bounded as the series themselves (the same keys).
        self._durations: dict[tuple[str, str], Any] = {}
        self._counts: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        route_at_entry = scope.get("route")
        root_path_at_entry = scope.get("root_path", "")
        method = scope.get("method", "GET")
        status = 500  # what the client sees if the app raises before answering
        in_progress = self._in_progress

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        in_progress.inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            in_progress.dec()
            route = _route_template(scope, route_at_entry, root_path_at_entry)
            duration = self._durations.get((method, route))
            if duration is None:
                duration = self._durations[method, route] = HTTP_REQUEST_DURATION.labels(
                    service=self.service, method=method, route=route)
            duration.observe(elapsed)
            count = self._counts.get((method, route, status))
            if count is None:
                count = self._counts[method, route, status] = HTTP_REQUESTS.labels(
                    service=self.service, method=method, route=route, status=str(status))
            count.inc()


_instrumented_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_QUERY_START_ATTR = "_fitjourney_query_started"


def instrument_engine(engine: AsyncEngine | Engine, service: str) -> None:
    """Time every query and track pool usage for `service`; instrumenting the same engine twice is a no-op."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    if sync_engine in _instrumented_engines:
        return
    _instrumented_engines.add(sync_engine)

    query_duration = DB_QUERY_DURATION.labels(service=service)
    checked_out = DB_POOL_CHECKED_OUT.labels(service=service)
    pool_size = DB_POOL_SIZE.labels(service=service)
    size = getattr(sync_engine.pool, "size", None)
    if callable(size):
        pool_size.set(size())

    # The timer lives on the execution context, so a failed query leaves nothing behind.
    @event.listens_for(sync_engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if context is not None:
            setattr(context, _QUERY_START_ATTR, time.perf_counter())

    @event.listens_for(sync_engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        started = getattr(context, _QUERY_START_ATTR, None)
        if started is not None:
            query_duration.observe(time.perf_counter() - started)

    @event.listens_for(sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
        checked_out.inc()

    @event.listens_for(sync_engine, "checkin")
    def _checkin(dbapi_connection: Any, connection_record: Any) -> None:
        checked_out.dec()


def serve_metrics(port: int, addr: str = "0.0.0.0") -> Any:  # noqa: S104 - Prometheus scrapes it from outside
    """Serve the process's metrics over HTTP from a daemon thread (event workers have no app to mount
    /metrics on); returns the server, whose `shutdown()` stops it."""
    server, _thread = start_http_server(port, addr=addr)
    return server


def metrics_response() -> Response:
    """The process's metrics in Prometheus text format, for a service's GET /metrics."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
