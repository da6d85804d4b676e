"""GDPR erasure: a `user.deleted` event removes the user's core rows and stored objects, nobody else's."""

from __future__ import annotations

import io

import httpx
from core_helpers import (
    assert_token_refused_as_erased,
    body_metric_body,
    event_processed,
    publish_event,
    rows_of_user,
    workout_body,
)
from fastapi import FastAPI
from PIL import Image

from fitjourney_common.events.envelope import new_event
from fitjourney_core.settings import CoreSettings


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


async def test_user_deleted_erases_rows_and_objects_of_that_user_only(
    app: FastAPI, client: httpx.AsyncClient, settings: CoreSettings, auth_headers, other_auth_headers, wait_for,
) -> None:
    for headers in (auth_headers, other_auth_headers):
        assert (await client.post("/api/v1/workouts", json=workout_body(), headers=headers)).status_code == 201
        assert (await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=headers)).status_code == 201
    avatar = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                              files={"image": ("a.png", png_bytes(), "image/png")})
    assert avatar.status_code == 200
    async with httpx.AsyncClient() as s3:
        assert (await s3.get(avatar.json()["avatar_url"])).status_code == 200

    event = new_event("user.deleted", {"user_id": auth_headers.user_id})
    await publish_event(settings.events_exchange, event)
    await wait_for(lambda: event_processed(app, event.id), timeout=15)

    for table in ("workouts", "body_metrics", "changes", "profiles"):
        assert await rows_of_user(app, table, auth_headers.user_id) == 0, table
    await assert_token_refused_as_erased(client, auth_headers)
    # Objects go right after the rows' transaction commits.
    async with httpx.AsyncClient() as s3:
        await wait_for(lambda: _object_gone(s3, avatar.json()["avatar_url"]))
    # The other user keeps everything.
    assert len((await client.get("/api/v1/workouts", headers=other_auth_headers)).json()["items"]) == 1
    assert len((await client.get("/api/v1/body-metrics", headers=other_auth_headers)).json()["items"]) == 1


async def _object_gone(s3: httpx.AsyncClient, url: str) -> bool:
    return (await s3.get(url)).status_code == 404
