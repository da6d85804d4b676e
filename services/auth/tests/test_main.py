"""The app as a whole: its public paths, health, readiness, metrics and OpenAPI document."""

from __future__ import annotations

from auth_helpers import PREFIX
from prometheus_client.parser import text_string_to_metric_families

PUBLIC_PATHS = {
    "/register", "/login", "/refresh", "/logout", "/me", "/sessions", "/sessions/{session_id}",
    "/oauth/{provider}", "/oauth/facebook", "/password/forgot", "/password/reset", "/.well-known/jwks.json",
    "/users", "/users/{user_id}/roles", "/reauthenticate", "/me/password", "/me/email", "/verify-email",
    "/verify-email/resend",
}


async def test_openapi_lists_every_public_path_under_the_prefix(client):
    document = (await client.get("/openapi.json")).json()
    paths = {p for p in document["paths"] if p.startswith(PREFIX)}
    assert {p.removeprefix(PREFIX) for p in paths} == PUBLIC_PATHS


async def test_health_readiness_and_metrics(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "auth"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json()["checks"].values()) == {"ok"}
    before = await _failed_logins_counted(client)
    refused = await client.post(f"{PREFIX}/login", json={"email": "metrics@example.com", "password": "x"})
    assert refused.status_code == 401
    assert await _failed_logins_counted(client) == before + 1


async def _failed_logins_counted(client) -> float:
    """`http_requests_total` of refused sign-ins, as Prometheus scrapes it from /metrics."""
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    wanted = {"service": "auth", "method": "POST", "route": f"{PREFIX}/login", "status": "401"}
    return sum(sample.value for family in text_string_to_metric_families(metrics.text)
               for sample in family.samples
               if sample.name == "http_requests_total" and sample.labels == wanted)


async def test_every_answer_carries_a_request_id(client):
    response = await client.get("/healthz", headers={"X-Request-ID": "trace-me-42"})
    assert response.headers["x-request-id"] == "trace-me-42"
