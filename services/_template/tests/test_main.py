"""Every service answers /healthz (alive) and /readyz (each declared backend answers)."""

from __future__ import annotations

import httpx


async def test_healthz_and_readyz_answer(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "service": "skeleton"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok", "broker": "ok"}}
