"""Core refuses the access tokens of a session auth has ended, through the marker auth leaves in the
shared Redis, without waiting for the token to expire; tokens of other sessions keep working."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from fitjourney_common.security import mark_sessions_revoked


async def test_an_ended_sessions_token_is_refused_by_core_at_once(
    app: FastAPI, client: httpx.AsyncClient, make_token,
) -> None:
    user_id = uuid.uuid4()
    ended, other = uuid.uuid4(), uuid.uuid4()
    _, ended_token = make_token(user_id=user_id, session_id=ended)
    _, other_token = make_token(user_id=user_id, session_id=other)
    for token in (ended_token, other_token):
        assert (await client.get("/api/v1/profile", headers={"Authorization": f"Bearer {token}"})).status_code == 200

    await mark_sessions_revoked(app.state.runtime.redis, [ended])

    refused = await client.get("/api/v1/profile", headers={"Authorization": f"Bearer {ended_token}"})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "session has ended" in refused.json()["detail"]
    assert (await client.get("/api/v1/profile", headers={"Authorization": f"Bearer {other_token}"})).status_code == 200
