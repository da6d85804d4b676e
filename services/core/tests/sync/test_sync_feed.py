"""The changes feed: creates, updates and deletes (tombstones) in order, resumable from a cursor."""

from __future__ import annotations

import uuid

import httpx
from core_helpers import body_metric_body, workout_body


async def test_feed_shows_create_update_and_tombstone_in_order(client: httpx.AsyncClient, auth_headers) -> None:
    workout_id = str(uuid.uuid4())
    created = await client.post("/api/v1/workouts", json=workout_body(id=workout_id), headers=auth_headers)
    assert created.status_code == 201
    patched = await client.patch(f"/api/v1/workouts/{workout_id}", json={"notes": "felt strong"},
                                 headers={**auth_headers, "If-Match": '"1"'})
    assert patched.status_code == 200
    assert (await client.delete(f"/api/v1/workouts/{workout_id}", headers=auth_headers)).status_code == 204

    feed = (await client.get("/api/v1/sync", headers=auth_headers)).json()
    mine = [c for c in feed["changes"] if c["resource_id"] == workout_id]
    assert [(c["resource"], c["op"], c["version"]) for c in mine] == [
        ("workout", "upsert", 1), ("workout", "upsert", 2), ("workout", "delete", 3)]
    assert mine[0]["payload"]["calories_status"] == "pending"
    assert mine[1]["payload"]["notes"] == "felt strong"
    assert mine[2]["payload"] is None
    seqs = [c["seq"] for c in feed["changes"]]
    assert seqs == sorted(seqs)
    assert feed["has_more"] is False

    # Resuming from the cursor: nothing new until the next write, then only that write.
    caught_up = (await client.get("/api/v1/sync", params={"since": feed["next_cursor"]}, headers=auth_headers)).json()
    assert caught_up["changes"] == [] and caught_up["next_cursor"] == feed["next_cursor"]
    metric = (await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=auth_headers)).json()
    later = (await client.get("/api/v1/sync", params={"since": feed["next_cursor"]}, headers=auth_headers)).json()
    assert [(c["resource"], c["resource_id"]) for c in later["changes"]] == [("body_metric", metric["id"])]


async def test_feed_pages_with_has_more(client: httpx.AsyncClient, auth_headers) -> None:
    for _ in range(3):
        assert (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).status_code == 201
    first = (await client.get("/api/v1/sync", params={"limit": 2}, headers=auth_headers)).json()
    assert len(first["changes"]) == 2 and first["has_more"] is True
    rest = (await client.get("/api/v1/sync", params={"limit": 2, "since": first["next_cursor"]},
                             headers=auth_headers)).json()
    assert len(rest["changes"]) == 1 and rest["has_more"] is False


async def test_feed_holds_only_the_callers_changes(client: httpx.AsyncClient, auth_headers, other_auth_headers) -> None:
    assert (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).status_code == 201
    assert (await client.get("/api/v1/sync", headers=other_auth_headers)).json()["changes"] == []


async def test_a_cursor_that_is_not_ours_is_a_422(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.get("/api/v1/sync", params={"since": "yesterday"}, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "since"
