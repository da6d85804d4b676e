"""Workout events on the real broker: the outbox loop, and the calorie estimate coming back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from core_conftest import APP_ROLE, SERVICE_DIR, asgi_client, start_app
from core_helpers import body_metric_body, broker_listener, event_processed, publish_event, workout_body
from fastapi import FastAPI
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from fitjourney_common.events.envelope import new_event
from fitjourney_common.events.outbox import OutboxRelay
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_core.db import OutboxMessage
from fitjourney_core.settings import CoreSettings


@pytest.fixture
async def app_without_relay(settings: CoreSettings) -> AsyncIterator[FastAPI]:
    """A replica on its own database whose outbox relay does not run: events can only wait."""
    async with temporary_database("fj_core_outbox") as owner_url:
        await migrate(SERVICE_DIR, owner_url)
        app_url = await create_app_role(owner_url, APP_ROLE, "core")
        isolated = settings.model_copy(update={"database_url": app_url, "run_event_worker": False})
        async for app in start_app(isolated, wait_for_broker=False):
            yield app


async def test_outbox_holds_the_event_until_the_relay_runs_then_delivers_it_once(
    app_without_relay: FastAPI, settings: CoreSettings, auth_headers, wait_for,
) -> None:
    async with broker_listener(settings.events_exchange, "workout.created") as consumer:
        async with asgi_client(app_without_relay) as client:
            created = await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)
        assert created.status_code == 201
        workout_id = created.json()["id"]

        runtime = app_without_relay.state.runtime
        relay = OutboxRelay(runtime.session_factory, OutboxMessage, runtime.bus, poll_seconds=0.05, service="core-test")
        # Publishing is stopped: the write committed, its event waits in the outbox, the broker has nothing.
        assert await relay.pending_count() == 1
        assert await consumer.waiting() == 0

        stop = asyncio.Event()
        running = asyncio.create_task(relay.run_forever(stop))
        try:
            await wait_for(lambda: consumer.drain())
            await wait_for(lambda: _pending_is_zero(relay))
        finally:
            stop.set()
            await running
        # A second pass has nothing left to send: the event is not published twice.
        assert await relay.run_once() == 0
        received = await consumer.drain()

    assert len(received) == 1
    event = received[0]
    assert event["type"] == "workout.created"
    assert event["data"]["workout_id"] == workout_id
    assert event["user_id"] == str(auth_headers.user_id)
    assert event["data"]["activity"] == "running_10kmh"


async def _pending_is_zero(relay: OutboxRelay) -> bool:
    return await relay.pending_count() == 0


async def test_calorie_estimate_updates_the_workout_and_notifies_the_websocket(
    app: FastAPI, client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for,
) -> None:
    await client.post("/api/v1/body-metrics", json=body_metric_body(weight_kg=70), headers=auth_headers)
    async with (
        broker_listener(settings.events_exchange, "workout.created") as ai_service,
        httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://test") as ws_client,
        aconnect_ws("/api/v1/ws", ws_client, subprotocols=["bearer", auth_headers.token]) as socket,
    ):
        assert json.loads(await socket.receive_text(timeout=10))["type"] == "ready"
        created = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
        assert created["calories_status"] == "pending"
        day = {"date": created["started_at"][:10]}
        before = (await client.get("/api/v1/summary/daily", headers=auth_headers, params=day)).json()
        assert before["exercise_kcal_gross"] == 0 and before["workouts_pending"] == 1  # now cached

        # The test plays the AI service: it reads workout.created and answers with an estimate.
        events = await wait_for(lambda: _events_for(ai_service, created["id"]))
        request = events[0]["data"]
        assert request["weight_kg"] == 70.0
        estimate = new_event("workout.calories_estimated", {
            "workout_id": request["workout_id"], "user_id": request["user_id"], "calories_burned": 343.0,
            "net_calories": 308.0, "method": "met", "met": 9.8,
            "notes": ["heart rate 185 bpm is outside Keytel's range (90-150): the MET is used"],
        })
        await publish_event(settings.events_exchange, estimate)

        notification = json.loads(await socket.receive_text(timeout=15))
        assert notification["type"] == "workout.calories_estimated"
        assert notification["workout"]["id"] == created["id"]
        assert notification["workout"]["calories_burned"] == 343.0

    fetched = (await client.get(f"/api/v1/workouts/{created['id']}", headers=auth_headers)).json()
    assert fetched["calories_status"] == "estimated"
    assert fetched["calories_burned"] == 343.0
    assert fetched["calories_method"] == "met"
    # What the estimate carries beyond gross kcal is shown on the workout too.
    assert fetched["calories_net"] == 308.0
    assert fetched["calories_notes"] == ["heart rate 185 bpm is outside Keytel's range (90-150): the MET is used"]
    assert fetched["version"] == created["version"] + 1

    # The event dropped the cached day: the summary counts the estimate at once.
    summary = (await client.get("/api/v1/summary/daily", headers=auth_headers, params=day)).json()
    assert summary["exercise_kcal_gross"] == 343.0 and summary["workouts_pending"] == 0
    assert summary["exercise_kcal_net"] == 308.0  # 343 x (9.8 - 1) / 9.8: the resting MET is in BMR already

    # Notes do not change what was burned; the duration does: the estimate is pending again.
    url = f"/api/v1/workouts/{created['id']}"
    noted = (await client.patch(url, json={"notes": "easy pace"}, headers=auth_headers)).json()
    assert (noted["calories_status"], noted["calories_burned"]) == ("estimated", 343.0)
    longer = (await client.patch(url, json={"duration_min": 60}, headers=auth_headers)).json()
    assert (longer["calories_status"], longer["calories_burned"], longer["calories_method"]) == ("pending", None, None)
    assert (longer["calories_net"], longer["calories_notes"]) == (None, [])


async def _events_for(listener, workout_id: str) -> list[dict]:
    return [e for e in await listener.drain() if e["data"].get("workout_id") == workout_id]


async def test_an_estimate_for_an_edited_workout_is_ignored_until_the_current_one_arrives(
    client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for, app: FastAPI,
) -> None:
    async with broker_listener(settings.events_exchange, "workout.*") as ai_service:
        created = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
        url = f"/api/v1/workouts/{created['id']}"
        await client.patch(url, json={"duration_min": 60}, headers=auth_headers)
        requests = await wait_for(lambda: _events_for_count(ai_service, created["id"], 2))
    revisions = [e["data"]["estimate_revision"] for e in requests]
    assert revisions == [1, 2]

    def answer(revision: int, kcal: float):
        return new_event("workout.calories_estimated", {
            "workout_id": created["id"], "user_id": str(auth_headers.user_id), "calories_burned": kcal,
            "method": "met", "met": 9.8, "estimate_revision": revision,
        })

    # The answer to the 30-minute request arrives after the edit: it is consumed and ignored.
    stale = answer(1, 343.0)
    await publish_event(settings.events_exchange, stale)
    await wait_for(lambda: event_processed(app, stale.id))
    assert (await client.get(url, headers=auth_headers)).json()["calories_status"] == "pending"

    current = answer(2, 686.0)
    await publish_event(settings.events_exchange, current)
    await wait_for(lambda: event_processed(app, current.id))
    fetched = (await client.get(url, headers=auth_headers)).json()
    assert (fetched["calories_status"], fetched["calories_burned"]) == ("estimated", 686.0)


async def _events_for_count(listener, workout_id: str, count: int) -> list[dict] | None:
    events = await _events_for(listener, workout_id)
    return events if len(events) >= count else None


async def test_estimate_for_a_deleted_workout_is_ignored(
    client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for, app: FastAPI,
) -> None:
    created = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
    assert (await client.delete(f"/api/v1/workouts/{created['id']}", headers=auth_headers)).status_code == 204
    estimate = new_event("workout.calories_estimated", {
        "workout_id": created["id"], "user_id": str(auth_headers.user_id), "calories_burned": 100.0,
        "method": "met", "met": None,
    })
    await publish_event(settings.events_exchange, estimate)
    # Consumed (recorded in the inbox) without error and without reviving the workout.
    await wait_for(lambda: event_processed(app, estimate.id))
    assert (await client.get(f"/api/v1/workouts/{created['id']}", headers=auth_headers)).status_code == 404
    assert await app.state.runtime.bus.dead_letter_count(settings.events_queue) == 0


async def test_edits_and_deletes_go_out_as_workout_updated_and_workout_deleted(
    client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for,
) -> None:
    async with broker_listener(settings.events_exchange, "workout.updated", "workout.deleted") as ai_service:
        created = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
        url = f"/api/v1/workouts/{created['id']}"
        # Notes do not change the estimate: an update that asks for none. The duration does: pending again,
        # and an update asking for a new estimate.
        assert (await client.patch(url, json={"notes": "windy"}, headers=auth_headers)).status_code == 200
        edited = await client.patch(url, json={"duration_min": 50}, headers=auth_headers)
        assert edited.status_code == 200 and edited.json()["calories_status"] == "pending"
        assert (await client.delete(url, headers=auth_headers)).status_code == 204

        events = await wait_for(lambda: _three_events_for(ai_service, created["id"]))

    assert [event["type"] for event in events] == ["workout.updated", "workout.updated", "workout.deleted"]
    notes, updated, deleted = events
    assert notes["data"]["estimate_needed"] is False and notes["data"]["estimate_revision"] == 1
    assert updated["data"]["estimate_needed"] is True and updated["data"]["estimate_revision"] == 2
    assert updated["data"]["duration_min"] == 50 and updated["data"]["activity"] == "running_10kmh"
    assert (updated["data"]["before"]["duration_min"], updated["data"]["after"]["duration_min"]) == (30, 50)
    assert updated["user_id"] == str(auth_headers.user_id)
    assert deleted["data"]["workout_id"] == created["id"] and deleted["data"]["version"] == 4
    assert deleted["data"]["before"]["duration_min"] == 50 and "after" not in deleted["data"]
    assert deleted["user_id"] == str(auth_headers.user_id)


async def _three_events_for(listener, workout_id: str) -> list[dict] | None:
    await listener.drain()
    mine = [e for e in listener.received if e["data"].get("workout_id") == workout_id]
    return mine if len(mine) >= 3 else None
