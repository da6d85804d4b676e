"""GDPR erasure: a `user.deleted` event removes the user's core rows and stored objects, nobody else's."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import boto3
import httpx
import pytest
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
    photo = await client.post("/api/v1/food-logs/photo", headers=auth_headers,
                              files={"image": ("m.png", png_bytes(), "image/png")})
    assert photo.status_code == 202, photo.text
    async with httpx.AsyncClient() as s3:
        assert (await s3.get(avatar.json()["avatar_url"])).status_code == 200
    assert len(await _keys_of(settings, auth_headers.user_id)) == 2

    event = new_event("user.deleted", {"user_id": auth_headers.user_id})
    await publish_event(settings.events_exchange, event)
    await wait_for(lambda: event_processed(app, event.id), timeout=15)

    for table in ("workouts", "body_metrics", "changes", "profiles"):
        assert await rows_of_user(app, table, auth_headers.user_id) == 0, table
    await assert_token_refused_as_erased(client, auth_headers)
    # Objects go right after the rows' transaction commits.
    async with httpx.AsyncClient() as s3:
        await wait_for(lambda: _object_gone(s3, avatar.json()["avatar_url"]))
    # Nothing of the user's is left anywhere in the bucket, whatever its kind.
    await wait_for(lambda: _no_keys_of(settings, auth_headers.user_id))
    # The other user keeps everything.
    assert len((await client.get("/api/v1/workouts", headers=other_auth_headers)).json()["items"]) == 1
    assert len((await client.get("/api/v1/body-metrics", headers=other_auth_headers)).json()["items"]) == 1


async def _object_gone(s3: httpx.AsyncClient, url: str) -> bool:
    return (await s3.get(url)).status_code == 404


async def test_object_deletion_is_retried_until_it_succeeds(
    app: FastAPI, client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    avatar = await client.put("/api/v1/profile/avatar", headers=auth_headers,
                              files={"image": ("a.png", png_bytes(), "image/png")})
    assert avatar.status_code == 200
    store = app.state.runtime.store
    delete_prefix, calls = store.delete_prefix, []

    async def flaky_delete_prefix(prefix: str) -> None:
        calls.append(prefix)
        if len(calls) <= 2:  # the store is down for the first two attempts
            raise ConnectionError("object store unreachable")
        await delete_prefix(prefix)

    monkeypatch.setattr(store, "delete_prefix", flaky_delete_prefix)
    event = new_event("user.deleted", {"user_id": auth_headers.user_id})
    await publish_event(settings.events_exchange, event)
    await wait_for(lambda: event_processed(app, event.id), timeout=15)
    await assert_token_refused_as_erased(client, auth_headers)  # before the objects go, the rows are gone
    await wait_for(lambda: _no_keys_of(settings, auth_headers.user_id), timeout=20)
    assert len(calls) > 2


def _s3(settings: CoreSettings) -> tuple[Any, str]:
    s3 = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    return s3, settings.object_store_url.removeprefix("s3://").split("/")[0]


async def _keys_of(settings: CoreSettings, user_id: uuid.UUID) -> list[str]:
    def listing() -> list[str]:
        s3, bucket = _s3(settings)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", []) if str(user_id) in item["Key"]]

    return await asyncio.to_thread(listing)


async def _no_keys_of(settings: CoreSettings, user_id: uuid.UUID) -> bool:
    return not await _keys_of(settings, user_id)
