"""The app as a whole: its public paths, health, readiness, metrics and OpenAPI document."""

from __future__ import annotations

from auth_helpers import PREFIX

PUBLIC_PATHS = {
    "/register", "/login", "/refresh", "/logout", "/me", "/sessions", "/sessions/{session_id}",
    "/oauth/{provider}", "/oauth/facebook", "/password/forgot", "/password/reset", "/.well-known/jwks.json",
    "/users", "/users/{user_id}/roles",
}


async def test_openapi_lists_every_public_path_under_the_prefix(client):
    document = (await client.get("/openapi.json")).json()
    paths = {p for p in document["paths"] if p.startswith(PREFIX)}
    assert {p.removeprefix(PREFIX) for p in paths} == PUBLIC_PATHS


async def test_health_readiness_and_metrics(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "auth"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json()["checks"].values()) == {"ok"}
    await client.post(f"{PREFIX}/login", json={"email": "metrics@example.com", "password": "x"})
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200 and "auth" in metrics.text


async def test_every_answer_carries_a_request_id(client):
    response = await client.get("/healthz", headers={"X-Request-ID": "trace-me-42"})
    assert response.headers["x-request-id"] == "trace-me-42"
