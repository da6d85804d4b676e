"""WebSocket notifications: token in the subprotocol or a first message, fan-out through Redis pub/sub."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from core_conftest import REDIS_URL
from core_helpers import publish_event
from fastapi import FastAPI
from httpx_ws import WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from fitjourney_common.events.envelope import new_event
from fitjourney_core.notifications.service import notify_user


@asynccontextmanager
async def websocket(app: FastAPI, **kwargs: Any) -> AsyncIterator[Any]:
    """A WebSocket to the app over ASGI (entered and left in the test's own task, as anyio requires)."""
    async with (
        httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://test") as client,
        aconnect_ws("/api/v1/ws", client, **kwargs) as socket,
    ):
        yield socket


async def test_first_message_auth_then_a_message_from_another_replica_arrives(app: FastAPI, auth_headers) -> None:
    async with websocket(app) as socket:
        await socket.send_text(json.dumps({"type": "auth", "token": auth_headers.token}))
        ready = json.loads(await socket.receive_text(timeout=10))
        assert ready == {"type": "ready", "user_id": str(auth_headers.user_id)}

        # Any replica publishes through Redis; this one relays to the socket it holds.
        other_replica = aioredis.Redis.from_url(REDIS_URL)
        try:
            assert await notify_user(other_replica, auth_headers.user_id, {"type": "hello", "n": 1}) >= 1
        finally:
            await other_replica.aclose()
        assert json.loads(await socket.receive_text(timeout=10)) == {"type": "hello", "n": 1}

        await socket.send_text("ping")
        assert json.loads(await socket.receive_text(timeout=10)) == {"type": "pong"}


async def test_subprotocol_auth_accepts_with_bearer(app: FastAPI, auth_headers) -> None:
    async with websocket(app, subprotocols=["bearer", auth_headers.token]) as socket:
        assert socket.subprotocol == "bearer"
        assert json.loads(await socket.receive_text(timeout=10))["type"] == "ready"


async def test_a_user_gets_only_their_own_notifications(app: FastAPI, auth_headers, other_auth_headers) -> None:
    async with websocket(app, subprotocols=["bearer", auth_headers.token]) as socket:
        assert json.loads(await socket.receive_text(timeout=10))["type"] == "ready"
        await notify_user(app.state.runtime.redis, other_auth_headers.user_id, {"type": "not-for-you"})
        await notify_user(app.state.runtime.redis, auth_headers.user_id, {"type": "for-you"})
        assert json.loads(await socket.receive_text(timeout=10)) == {"type": "for-you"}


def close_code(error: BaseException) -> int | None:
    """The close code of a WebSocketDisconnect, also when anyio wrapped it in an exception group."""
    if isinstance(error, WebSocketDisconnect):
        return error.code
    for inner in getattr(error, "exceptions", ()):
        code = close_code(inner)
        if code is not None:
            return code
    return None


async def test_invalid_tokens_are_refused(app: FastAPI) -> None:
    with pytest.raises(BaseException) as refused:
        async with websocket(app, subprotocols=["bearer", "not-a-token"]):
            pass
    assert close_code(refused.value) == 1008

    with pytest.raises(BaseException) as closed:
        async with websocket(app) as socket:
            await socket.send_text(json.dumps({"type": "auth", "token": "forged"}))
            await socket.receive_text(timeout=10)
    assert close_code(closed.value) == 1008


async def test_the_socket_closes_when_its_token_expires(app: FastAPI, make_token) -> None:
    _, short_lived = make_token(expires_in=2)
    with pytest.raises(BaseException) as closed:
        async with websocket(app, subprotocols=["bearer", short_lived]) as socket:
            assert json.loads(await socket.receive_text(timeout=10))["type"] == "ready"
            await socket.receive_text(timeout=15)  # nothing is sent: the server closes at expiry
    assert close_code(closed.value) == 1008


async def test_analytics_report_ready_reaches_the_users_websocket(app: FastAPI, settings: Any, auth_headers) -> None:
    report_id = "0b6f3c1e-6a43-4f0e-9a53-3c1d2a4b5e6f"
    async with websocket(app, subprotocols=["bearer", auth_headers.token]) as socket:
        assert json.loads(await socket.receive_text(timeout=10))["type"] == "ready"
        await publish_event(settings.events_exchange, new_event("report.ready", {
            "report_id": report_id, "user_id": str(auth_headers.user_id), "format": "pdf"}))
        notification = json.loads(await socket.receive_text(timeout=15))
    assert notification == {"type": "report.ready", "report_id": report_id, "format": "pdf"}
