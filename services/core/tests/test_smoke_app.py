"""The app starts on the real backends and answers its health endpoints."""

import httpx


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"database", "redis", "broker", "object_store"}


async def test_api_requires_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sync")
    assert response.status_code == 401


async def test_sync_feed_starts_empty(client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    response = await client.get("/api/v1/sync", headers=auth_headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"changes": [], "next_cursor": "0", "has_more": False}
