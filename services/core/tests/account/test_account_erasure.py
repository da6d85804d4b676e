"""DELETE /me end to end: `user.deleted` through the outbox onto RabbitMQ, core's own consumer erases the
caller's rows and objects (exports included), the other user keeps everything; a stray DELETE erases nothing."""

from __future__ import annotations

import io
from typing import Any

import httpx
from core_helpers import assert_token_refused_as_erased, broker_listener, rows_of_user, workout_body
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import select

from fitjourney_common.db.engine import bind_user
from fitjourney_core.account.models import AuditEntry
from fitjourney_core.db import OutboxMessage
from fitjourney_core.settings import CoreSettings

API = "/api/v1"
CONFIRM = {"confirm": "DELETE"}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


async def status_of(url: str) -> int:
    async with httpx.AsyncClient() as s3:
        return (await s3.get(url)).status_code


async def test_delete_me_erases_my_data_once_the_event_is_consumed_and_nobody_elses(
    app: FastAPI, client: httpx.AsyncClient, settings: CoreSettings, auth_headers, other_auth_headers, wait_for,
) -> None:
    for headers in (auth_headers, other_auth_headers):
        assert (await client.post(f"{API}/workouts", json=workout_body(), headers=headers)).status_code == 201
    avatars = {}
    for headers in (auth_headers, other_auth_headers):
        avatar = await client.put(f"{API}/profile/avatar", headers=headers,
                                  files={"image": ("a.png", png_bytes(), "image/png")})
        assert avatar.status_code == 200
        avatars[headers.user_id] = avatar.json()["avatar_url"]
    export_id = (await client.post(f"{API}/me/export", headers=auth_headers)).json()["export_id"]
    export = await wait_for(lambda: _ready(client, auth_headers, export_id), timeout=20)
    assert await status_of(export["url"]) == 200

    async with broker_listener(settings.events_exchange, "user.deleted") as listener:
        deleted = await client.request("DELETE", f"{API}/me", json=CONFIRM, headers=auth_headers)
        assert deleted.status_code == 202, deleted.text
        assert deleted.json() == {"status": "scheduled"}
        events = await wait_for(lambda: _received(listener))
    assert [event["data"] for event in events] == [{"user_id": str(auth_headers.user_id)}]
    assert events[0]["user_id"] == str(auth_headers.user_id)

    # Core consumes the same event: once its erasure is recorded, the rows are gone.
    await wait_for(lambda: _audited(app, auth_headers.user_id, "erasure.completed"), timeout=15)
    for table in ("workouts", "exports", "profiles"):
        assert await rows_of_user(app, table, auth_headers.user_id) == 0, table
    await assert_token_refused_as_erased(client, auth_headers)
    # Objects go right after the erasure's transaction commits: the avatar and the export zip.
    await wait_for(lambda: _gone(avatars[auth_headers.user_id]))
    await wait_for(lambda: _gone(export["url"]))

    assert len((await client.get(f"{API}/workouts", headers=other_auth_headers)).json()["items"]) == 1
    assert await status_of(avatars[other_auth_headers.user_id]) == 200
    # The audit log outlives the erasure: that it was asked for and done stays on record.
    assert await _audited(app, auth_headers.user_id, "erasure.requested")


async def test_delete_me_without_the_confirmation_is_422_and_erases_nothing(
    app: FastAPI, client: httpx.AsyncClient, auth_headers,
) -> None:
    assert (await client.post(f"{API}/workouts", json=workout_body(), headers=auth_headers)).status_code == 201
    for kwargs in ({}, {"json": {}}, {"json": {"confirm": "yes"}}, {"json": {"confirm": "delete"}}):
        response = await client.request("DELETE", f"{API}/me", headers=auth_headers, **kwargs)
        assert response.status_code == 422, (kwargs, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [error["field"] for error in response.json()["errors"]] == ["confirm"], kwargs
    assert (await client.request("DELETE", f"{API}/me", json=CONFIRM)).status_code == 401

    async with app.state.runtime.session_factory() as session:
        queued = (await session.scalars(select(OutboxMessage.type).where(
            OutboxMessage.user_id == auth_headers.user_id))).all()
    assert "user.deleted" not in queued
    assert len((await client.get(f"{API}/workouts", headers=auth_headers)).json()["items"]) == 1


async def _ready(client: httpx.AsyncClient, headers: Any, export_id: str) -> dict[str, Any] | None:
    body: dict[str, Any] = (await client.get(f"{API}/me/export/{export_id}", headers=headers)).json()
    return body if body["status"] == "ready" else None


async def _received(listener: Any) -> list[dict[str, Any]]:
    return [event for event in await listener.drain() if event["type"] == "user.deleted"]


async def _audited(app: FastAPI, user_id: Any, action: str) -> bool:
    async with app.state.runtime.session_factory() as session:
        await bind_user(session, user_id)
        found = await session.scalar(select(AuditEntry.id).where(AuditEntry.user_id == user_id,
                                                                 AuditEntry.action == action))
    return found is not None


async def _gone(url: str) -> bool:
    return await status_of(url) == 404
