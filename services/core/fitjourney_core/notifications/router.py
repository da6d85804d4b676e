"""WebSocket /api/v1/ws: authenticate, then relay the user's notifications until either side leaves."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS
from fitjourney_common.errors import AppError
from fitjourney_common.runtime import get_runtime
from fitjourney_common.security import Principal, authenticate
from fitjourney_core.notifications.service import channel_for
from fitjourney_core.runtime import core_runtime

log = logging.getLogger(__name__)
router = APIRouter(tags=["notifications"])

BEARER_SUBPROTOCOL = "bearer"
MAX_AUTH_MESSAGE_CHARS = 16_384


def _token_from_subprotocols(websocket: WebSocket) -> str | None:
    # Browsers cannot set headers on a WebSocket: `new WebSocket(url, ["bearer", token])` is the idiom.
    offered = [str(value).strip() for value in websocket.scope.get("subprotocols") or []]
    if len(offered) >= 2 and offered[0].lower() == BEARER_SUBPROTOCOL:
        return offered[1]
    return None


async def _token_from_first_message(websocket: WebSocket, wait_seconds: float) -> str | None:
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), wait_seconds)
    except (TimeoutError, WebSocketDisconnect, KeyError, RuntimeError):
        return None
    if len(raw) > MAX_AUTH_MESSAGE_CHARS:
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    if isinstance(message, dict) and message.get("type") == "auth" and isinstance(message.get("token"), str):
        return str(message["token"])
    return None


async def _authenticate(websocket: WebSocket, token: str | None) -> Principal | None:
    if not token:
        return None
    try:
        principal = await authenticate(websocket, token)
    except AppError:
        return None
    return principal


async def _relay(websocket: WebSocket, principal: Principal) -> None:
    """Forward messages from the user's Redis channel; a per-connection subscription is what lets any
    replica's publish reach this socket."""
    pubsub = get_runtime(websocket).redis.pubsub()
    try:
        await pubsub.subscribe(channel_for(principal.user_id))
    except REDIS_OUTAGE_ERRORS as exc:
        log.warning("notifications unavailable (redis): %s", exc)
        await websocket.close(code=status.WS_1011_INTERNAL_ERROR, reason="notifications unavailable")
        return
    # Sent only once subscribed: a client that waits for it cannot miss a notification published next.
    await websocket.send_text(json.dumps({"type": "ready", "user_id": str(principal.user_id)}))

    async def forward() -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            data: Any = message["data"]
            await websocket.send_text(data.decode() if isinstance(data, bytes) else str(data))

    async def watch_client() -> None:
        # The client may send pings; anything it sends is answered or ignored, a close ends the relay.
        while True:
            incoming = await websocket.receive_text()
            if incoming.strip() in ('{"type":"ping"}', '{"type": "ping"}', "ping"):
                await websocket.send_text('{"type":"pong"}')

    async def expire() -> None:
        # A socket lives no longer than its token: the client reconnects with a fresh one, so a revoked
        # or erased account stops receiving within one token lifetime.
        await asyncio.sleep(max(0.0, float(principal.claims["exp"]) - time.time()))
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="token expired")

    tasks = [asyncio.create_task(forward()), asyncio.create_task(watch_client()), asyncio.create_task(expire())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            error = task.exception()
            if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError):
                log.warning("websocket relay for %s ended: %r", principal.user_id, error)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(*REDIS_OUTAGE_ERRORS):
            await pubsub.unsubscribe()
        with contextlib.suppress(*REDIS_OUTAGE_ERRORS):
            await pubsub.aclose()
        # Redis failing mid-stream ends the relay: tell the client to reconnect (no-op if it left).
        with contextlib.suppress(Exception):
            await websocket.close(code=status.WS_1011_INTERNAL_ERROR, reason="notifications interrupted")


@router.websocket("/api/v1/ws")
async def notifications_socket(websocket: WebSocket) -> None:
    """Token in `Sec-WebSocket-Protocol: bearer, <token>` or in a first message
    `{"type": "auth", "token": "<token>"}`; then every notification for that user, as JSON text."""
    token = _token_from_subprotocols(websocket)
    if token is not None:
        principal = await _authenticate(websocket, token)
        if principal is None:
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="invalid token")
            return
        await websocket.accept(subprotocol=BEARER_SUBPROTOCOL)
    else:
        await websocket.accept()
        timeout = core_runtime(get_runtime(websocket)).settings.ws_auth_timeout_seconds
        principal = await _authenticate(websocket, await _token_from_first_message(websocket, timeout))
        if principal is None:
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="authentication required")
            return
    await _relay(websocket, principal)
