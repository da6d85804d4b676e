"""Prometheus metrics as a scraper sees them on /metrics: route templates, statuses, streaming, DB timing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, WebSocket
from fastapi.responses import StreamingResponse
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.routing import Mount

from fitjourney_common.errors import install_error_handlers
from fitjourney_common.observability.metrics import (
    PrometheusMiddleware,
    count_business_event,
    instrument_engine,
    metrics_response,
    serve_metrics,
)


def build_app(service: str) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/v1/workouts/{workout_id}")
    async def get_workout(workout_id: int) -> dict[str, int]:
        return {"id": workout_id}

    @app.get("/api/v1/export")
    async def export() -> StreamingResponse:
        async def rows() -> AsyncIterator[bytes]:
            for i in range(3):
                yield f"row {i}\n".encode()

        return StreamingResponse(rows(), media_type="text/plain")

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("bug")

    @app.websocket("/api/v1/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    @app.get("/metrics")
    async def metrics() -> object:
        return metrics_response()

    reports = FastAPI()

    @reports.get("/reports/{report_id}")
    async def get_report(report_id: str) -> dict[str, str]:
        return {"id": report_id}

    app.router.routes.append(Mount("/analytics", app=reports))
    app.add_middleware(PrometheusMiddleware, service=service)
    return app


def samples(metrics_text: str, name: str, service: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Samples of one metric for one service, keyed by their other labels."""
    found = {}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name and sample.labels.get("service") == service:
                key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "service"))
                found[key] = sample.value
    return found


def scrape() -> str:
    return bytes(metrics_response().body).decode()


@pytest.fixture
async def client_and_service(unique: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    service = f"svc-{unique}"
    transport = httpx.ASGITransport(app=build_app(service), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, service


async def test_requests_are_counted_by_route_template_and_status(
    client_and_service: tuple[httpx.AsyncClient, str],
) -> None:
    client, service = client_and_service
    for workout_id in (1, 2, 3):
        assert (await client.get(f"/api/v1/workouts/{workout_id}")).status_code == 200
    assert (await client.get("/api/v1/workouts/not-a-number")).status_code == 422
    assert (await client.get("/no/such/path/123")).status_code == 404
    assert (await client.get("/api/v1/boom")).status_code == 500

    scraped = await client.get("/metrics")

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    counts = samples(scraped.text, "http_requests_total", service)
    assert counts[(("method", "GET"), ("route", "/api/v1/workouts/{workout_id}"), ("status", "200"))] == 3
    assert counts[(("method", "GET"), ("route", "/api/v1/workouts/{workout_id}"), ("status", "422"))] == 1
    assert counts[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    assert counts[(("method", "GET"), ("route", "/api/v1/boom"), ("status", "500"))] == 1
    # Raw paths never become label values.
    assert "/api/v1/workouts/1" not in scraped.text and "/no/such/path" not in scraped.text
    durations = samples(scraped.text, "http_request_duration_seconds_count", service)
    assert durations[(("method", "GET"), ("route", "/api/v1/workouts/{workout_id}"))] == 4
    assert samples(scraped.text, "http_requests_in_progress", service)[()] == 1  # the scrape itself


async def test_streaming_response_is_measured_to_its_end(client_and_service: tuple[httpx.AsyncClient, str]) -> None:
    client, service = client_and_service

    response = await client.get("/api/v1/export")

    assert response.text == "row 0\nrow 1\nrow 2\n"
    scraped = (await client.get("/metrics")).text
    assert samples(scraped, "http_requests_total", service)[
        (("method", "GET"), ("route", "/api/v1/export"), ("status", "200"))] == 1


async def test_mounted_app_routes_keep_their_mount_prefix(client_and_service: tuple[httpx.AsyncClient, str]) -> None:
    client, service = client_and_service

    assert (await client.get("/analytics/reports/abc")).json() == {"id": "abc"}

    scraped = (await client.get("/metrics")).text
    assert samples(scraped, "http_requests_total", service)[
        (("method", "GET"), ("route", "/analytics/reports/{report_id}"), ("status", "200"))] == 1


async def test_websockets_pass_through_untouched(unique: str) -> None:
    service = f"svc-{unique}"
    transport = ASGIWebSocketTransport(app=build_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        websocket: AsyncWebSocketSession
        async with aconnect_ws("/api/v1/ws", client) as websocket:
            await websocket.send_text("ping")
            assert await websocket.receive_text() == "ping"
        scraped = (await client.get("/metrics")).text
    assert not any(dict(key).get("route") == "/api/v1/ws"
                   for key in samples(scraped, "http_requests_total", service))


async def test_engine_queries_and_pool_usage_are_measured(tmp_path: Path, unique: str) -> None:
    service = f"db-{unique}"
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}")
    instrument_engine(engine, service)
    instrument_engine(engine, service)  # a second call must not double count

    async with engine.connect() as conn:
        for _ in range(3):
            await conn.execute(text("select 1"))
        during = samples(scrape(), "db_pool_checked_out", service)[()]
    after = scrape()
    await engine.dispose()

    assert during == 1
    assert samples(after, "db_pool_checked_out", service)[()] == 0
    assert samples(after, "db_pool_size", service)[()] >= 1
    assert samples(after, "db_query_duration_seconds_count", service)[()] == 3


def test_business_events_are_counted_per_service_and_name(unique: str) -> None:
    service = f"svc-{unique}"
    count_business_event(service, "workouts_completed")
    count_business_event(service, "workouts_completed")
    count_business_event(service, "food_logged", 3)

    scraped = scrape()

    assert samples(scraped, "business_events_total", service) == {
        (("name", "workouts_completed"),): 2,
        (("name", "food_logged"),): 3,
    }


def test_a_worker_process_serves_its_event_metrics_over_http() -> None:
    """Workers have no app: their events, lag and outbox metrics are served on WORKER_METRICS_PORT."""
    import socket
    import urllib.request

    from fitjourney_common.events._telemetry import count_consumed

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve_metrics(port, addr="127.0.0.1")
    try:
        count_consumed("metrics-port-test", "workout.created", "ok")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            body = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    families = {f.name: f for f in text_string_to_metric_families(body)}
    samples = [s for s in families["events_consumed"].samples if s.labels.get("service") == "metrics-port-test"]
    assert [s.value for s in samples if s.name == "events_consumed_total"] == [1.0]
