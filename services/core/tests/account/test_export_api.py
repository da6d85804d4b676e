"""GDPR export end to end: POST /me/export → a zip in (moto) S3 behind a presigned URL, `export.ready` on
RabbitMQ, one pending export per user, and another user's export answering 404."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from core_helpers import body_metric_body, broker_listener, rows_of_user, workout_body
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from fitjourney_common.db.engine import bind_user
from fitjourney_common.errors import NotFound
from fitjourney_core.account.models import AuditEntry, Export
from fitjourney_core.account.service import EXPORTED, NOT_EXPORTED, export_key
from fitjourney_core.models import Base
from fitjourney_core.settings import CoreSettings

API = "/api/v1"
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()


def picture(fmt: str = "PNG", colour: tuple[int, int, int] = (0, 128, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(out, format=fmt)
    return out.getvalue()


async def fill_account(client: httpx.AsyncClient, headers: Any, marker: str) -> dict[str, Any]:
    """A user with a bit of everything; `marker` is written into their texts to find them in an export."""
    made: dict[str, Any] = {}
    workout = await client.post(f"{API}/workouts", headers=headers, json=workout_body(notes=f"{marker} intervals"))
    assert workout.status_code == 201, workout.text
    made["workout"] = workout.json()
    journal = await client.put(f"{API}/journal/{YESTERDAY}", headers=headers,
                               json={"mood": 4, "text": f"{marker}: ran a personal best", "tags": ["running"]})
    assert journal.status_code == 201, journal.text
    made["journal"] = journal.json()
    food = await client.post(f"{API}/foods", headers=headers, json={
        "name": f"{marker} granola", "portions": [{"name": "bowl", "grams": 60}],
        "per_100g": {"kcal": 450, "protein_g": 10, "carbs_g": 60, "fat_g": 18, "fibre_g": 7}})
    assert food.status_code == 201, food.text
    made["food"] = food.json()
    log = await client.post(f"{API}/food-logs", headers=headers, json={
        "food_id": made["food"]["id"], "grams": 60, "meal": "breakfast",
        "eaten_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat()})
    assert log.status_code == 201, log.text
    made["food_log"] = log.json()
    metric = await client.post(f"{API}/body-metrics", headers=headers, json=body_metric_body())
    assert metric.status_code == 201
    made["body_metric"] = metric.json()
    habit = await client.post(f"{API}/habits", headers=headers, json={"name": f"{marker} stretch"})
    assert habit.status_code == 201
    made["habit"] = habit.json()
    check_in = await client.post(f"{API}/habits/{made['habit']['id']}/check-ins", headers=headers,
                                 json={"date": YESTERDAY, "count": 1})
    assert check_in.status_code == 201, check_in.text
    made["check_in"] = check_in.json()
    return made


async def export_status(client: httpx.AsyncClient, headers: Any, export_id: str, status: str) -> dict[str, Any] | None:
    response = await client.get(f"{API}/me/export/{export_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body if body["status"] == status else None


async def download_zip(url: str) -> zipfile.ZipFile:
    async with httpx.AsyncClient() as s3:
        response = await s3.get(url)
    assert response.status_code == 200, response.text
    return zipfile.ZipFile(io.BytesIO(response.content))


def ids(records: list[dict[str, Any]]) -> set[str]:
    return {str(record["id"]) for record in records}


async def test_export_zips_all_of_my_data_and_nothing_of_anyone_else(
    client: httpx.AsyncClient, settings: CoreSettings, auth_headers, other_auth_headers, wait_for,
) -> None:
    mine = await fill_account(client, auth_headers, "MINE")
    await fill_account(client, other_auth_headers, "THEIRS")
    avatar = await client.put(f"{API}/profile/avatar", headers=auth_headers,
                              files={"image": ("me.png", picture(), "image/png")})
    assert avatar.status_code == 200
    photo = await client.post(f"{API}/food-logs/photo", headers=auth_headers,
                              files={"image": ("lunch.jpg", picture("JPEG", (200, 120, 40)), "image/jpeg")})
    assert photo.status_code == 202
    theirs = await client.put(f"{API}/profile/avatar", headers=other_auth_headers,
                              files={"image": ("them.png", picture(colour=(1, 2, 3)), "image/png")})
    assert theirs.status_code == 200

    async with broker_listener(settings.events_exchange, "export.ready") as listener:
        requested = await client.post(f"{API}/me/export", headers=auth_headers)
        assert requested.status_code == 202, requested.text
        body = requested.json()
        assert body["status"] == "pending" and body["url"] is None
        export_id = body["export_id"]
        assert requested.headers["Location"] == f"{API}/me/export/{export_id}"

        ready = await wait_for(lambda: export_status(client, auth_headers, export_id, "ready"), timeout=20)
        key = f"exports/{auth_headers.user_id}/{export_id}.zip"
        events = await wait_for(lambda: _received(listener, "export.ready"))
    assert [event["data"] for event in events] == [{"user_id": str(auth_headers.user_id), "object_key": key}]

    assert datetime.fromisoformat(ready["expires_at"]) > datetime.now(UTC)
    assert datetime.fromisoformat(ready["expires_at"]) <= (
        datetime.now(UTC) + timedelta(seconds=settings.presigned_url_seconds + 5))
    archive = await download_zip(ready["url"])
    names = set(archive.namelist())
    assert {f"{name}.json" for name in EXPORTED} | {"README.txt"} <= names
    media = sorted(name for name in names if name.startswith("media/"))
    # The avatar was stored re-encoded as JPEG (no transparency), so that is what the user gets back.
    assert media == ["media/avatar.jpg", f"media/food-photos/{photo.json()['job_id']}.jpg"]
    assert archive.read("media/avatar.jpg").startswith(b"\xff\xd8")

    def load(name: str) -> Any:
        return json.loads(archive.read(f"{name}.json"))

    assert ids(load("workouts")) == {mine["workout"]["id"]}
    assert load("workouts")[0]["notes"] == "MINE intervals"
    journal = load("journal")
    assert [(entry["date"], entry["text"]) for entry in journal] == [(YESTERDAY, "MINE: ran a personal best")]
    assert "text_encrypted" not in journal[0]
    assert ids(load("foods")) == {mine["food"]["id"]}  # custom foods only, no catalogue
    assert ids(load("food_logs")) == {mine["food_log"]["id"]}
    assert ids(load("body_metrics")) == {mine["body_metric"]["id"]}
    assert ids(load("habits")) == {mine["habit"]["id"]}
    assert ids(load("check_ins")) == {mine["check_in"]["id"]}
    assert ids(load("photo_jobs")) == {photo.json()["job_id"]}
    assert load("profile")["avatar_file"] == "media/avatar.jpg"

    everything = b"".join(archive.read(name) for name in names)
    assert b"THEIRS" not in everything
    assert str(other_auth_headers.user_id).encode() not in everything
    readme = archive.read("README.txt").decode()
    assert str(auth_headers.user_id) in readme and "workouts.json" in readme and "1 record" in readme
    assert "media/" in readme and "2 files" in readme


async def _received(listener: Any, event_type: str) -> list[dict[str, Any]]:
    return [event for event in await listener.drain() if event["type"] == event_type]


async def test_another_users_export_answers_404(
    client: httpx.AsyncClient, auth_headers, other_auth_headers, wait_for,
) -> None:
    export_id = (await client.post(f"{API}/me/export", headers=auth_headers)).json()["export_id"]
    await wait_for(lambda: export_status(client, auth_headers, export_id, "ready"), timeout=20)

    other = await client.get(f"{API}/me/export/{export_id}", headers=other_auth_headers)
    assert other.status_code == 404
    assert "url" not in other.json()
    assert (await client.get(f"{API}/me/export/{uuid.uuid4()}", headers=auth_headers)).status_code == 404
    assert (await client.get(f"{API}/me/export/{export_id}")).status_code == 401


@pytest.fixture
def held_exports(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Exports are accepted but not started: they stay pending until the test starts them."""
    started: list[tuple[uuid.UUID, uuid.UUID]] = []
    monkeypatch.setattr(app.state.runtime.exports, "start", lambda user_id, export_id: started.append(
        (user_id, export_id)))
    return started


async def test_a_second_request_while_one_is_pending_answers_the_same_export(
    app: FastAPI, client: httpx.AsyncClient, auth_headers, held_exports, wait_for,
) -> None:
    first = await client.post(f"{API}/me/export", headers=auth_headers)
    second = await client.post(f"{API}/me/export", headers=auth_headers)
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["export_id"] == first.json()["export_id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert held_exports == [(auth_headers.user_id, uuid.UUID(first.json()["export_id"]))]

    # Once it has finished, a new request makes a new export.
    await app.state.runtime.exports.run(*held_exports[0])
    assert await export_status(client, auth_headers, first.json()["export_id"], "ready")
    third = await client.post(f"{API}/me/export", headers=auth_headers)
    assert third.status_code == 202 and third.json()["export_id"] != first.json()["export_id"]


async def test_two_racing_requests_make_one_export(
    client: httpx.AsyncClient, auth_headers, held_exports,
) -> None:
    first, second = await asyncio.gather(*(client.post(f"{API}/me/export", headers=auth_headers) for _ in range(2)))
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["export_id"] == second.json()["export_id"]
    assert len(held_exports) == 1


async def test_an_export_finishing_after_the_account_was_erased_leaves_no_zip(
    app: FastAPI, client: httpx.AsyncClient, auth_headers, held_exports, wait_for,
) -> None:
    assert (await client.post(f"{API}/workouts", json=workout_body(), headers=auth_headers)).status_code == 201
    assert (await client.post(f"{API}/me/export", headers=auth_headers)).status_code == 202
    erased = await client.request("DELETE", f"{API}/me", json={"confirm": "DELETE"}, headers=auth_headers)
    assert erased.status_code == 202
    await wait_for(lambda: _workouts_gone(app, auth_headers.user_id), timeout=15)

    user_id, export_id = held_exports[0]
    await app.state.runtime.exports.run(user_id, export_id)
    with pytest.raises(NotFound):
        await app.state.runtime.store.get(export_key(user_id, export_id))


async def _workouts_gone(app: FastAPI, user_id: Any) -> bool:
    return await rows_of_user(app, "workouts", user_id) == 0


async def test_a_pending_export_past_its_deadline_reads_failed_and_no_longer_blocks(
    app: FastAPI, client: httpx.AsyncClient, settings: CoreSettings, auth_headers, held_exports,
) -> None:
    """The replica running an export died: its row stays pending. Past the deadline it is failed."""
    lost = (await client.post(f"{API}/me/export", headers=auth_headers)).json()["export_id"]
    long_ago = datetime.now(UTC) - timedelta(seconds=settings.export_timeout_seconds + 3600)
    async with app.state.runtime.session_factory() as session, session.begin():
        await bind_user(session, auth_headers.user_id)
        await session.execute(update(Export).where(Export.id == uuid.UUID(lost)).values(created_at=long_ago))

    assert await export_status(client, auth_headers, lost, "failed")
    fresh = await client.post(f"{API}/me/export", headers=auth_headers)
    assert fresh.status_code == 202 and fresh.json()["export_id"] != lost
    assert fresh.json()["status"] == "pending"


async def test_exports_are_audited_and_the_audit_log_is_append_only(
    app: FastAPI, client: httpx.AsyncClient, auth_headers, wait_for,
) -> None:
    export_id = (await client.post(f"{API}/me/export", headers=auth_headers)).json()["export_id"]
    await wait_for(lambda: export_status(client, auth_headers, export_id, "ready"), timeout=20)

    async with app.state.runtime.session_factory() as session:
        await bind_user(session, auth_headers.user_id)
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.user_id == auth_headers.user_id)
                                         .order_by(AuditEntry.id))).all()
    assert [(entry.action, entry.detail) for entry in entries] == [
        ("export.requested", {"export_id": export_id}), ("export.ready", {"export_id": export_id})]

    for statement in ("update core.audit_log set action = 'x' where user_id = :user",
                      "delete from core.audit_log where user_id = :user"):
        async with app.state.runtime.session_factory() as session:
            await bind_user(session, auth_headers.user_id)
            with pytest.raises(DBAPIError, match="append-only"):
                async with session.begin():
                    await session.execute(text(statement), {"user": auth_headers.user_id})


def test_every_table_with_a_user_id_is_exported_or_left_out_for_a_reason() -> None:
    """A table added later must be put in the export or named as deliberately left out."""
    owned = {table.name for table in Base.metadata.sorted_tables if "user_id" in table.c}
    exported = {model.__tablename__ for model in EXPORTED.values()}
    assert owned - exported - set(NOT_EXPORTED) == set()
    assert not exported & set(NOT_EXPORTED)
