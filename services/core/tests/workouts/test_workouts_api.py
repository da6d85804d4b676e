"""Workouts over HTTP: create, read, list, update, delete, ownership, If-Match, replays, validation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from core_helpers import iso, workout_body


async def test_create_answers_pending_calories_and_reads_back(client: httpx.AsyncClient, auth_headers) -> None:
    body = workout_body(activity="strength_training", exercises=[
        {"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100}, {"reps": 5, "weight_kg": 105}]}])
    created = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
    assert created.status_code == 201, created.text
    workout = created.json()
    assert workout["calories_burned"] is None
    assert workout["calories_status"] == "pending"
    assert workout["exercises"][0]["sets"][1] == {"reps": 5, "weight_kg": 105.0}
    assert created.headers["ETag"] == '"1"'

    fetched = await client.get(f"/api/v1/workouts/{workout['id']}", headers=auth_headers)
    assert fetched.status_code == 200
    assert fetched.json() == workout


async def test_list_is_newest_first_paginated_and_filtered(client: httpx.AsyncClient, auth_headers) -> None:
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)
    for day in range(5):
        body = workout_body(started_at=iso(base + timedelta(days=day)))
        assert (await client.post("/api/v1/workouts", json=body, headers=auth_headers)).status_code == 201

    first = (await client.get("/api/v1/workouts", params={"limit": 2}, headers=auth_headers)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = (await client.get("/api/v1/workouts", params={"limit": 2, "cursor": first["next_cursor"]},
                               headers=auth_headers)).json()
    third = (await client.get("/api/v1/workouts", params={"limit": 2, "cursor": second["next_cursor"]},
                              headers=auth_headers)).json()
    starts = [w["started_at"] for page in (first, second, third) for w in page["items"]]
    assert len(starts) == 5 and starts == sorted(starts, reverse=True)
    assert third["next_cursor"] is None

    window = await client.get("/api/v1/workouts", headers=auth_headers, params={
        "from": (base + timedelta(days=1)).date().isoformat(), "to": (base + timedelta(days=2)).date().isoformat()})
    assert len(window.json()["items"]) == 2


async def test_update_bumps_version_and_resets_estimate(client: httpx.AsyncClient, auth_headers) -> None:
    workout = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
    updated = await client.patch(f"/api/v1/workouts/{workout['id']}", json={"duration_min": 45, "notes": "hills"},
                                 headers={**auth_headers, "If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["duration_min"] == 45
    assert updated.json()["notes"] == "hills"
    assert updated.json()["version"] == 2
    assert updated.headers["ETag"] == '"2"'


async def test_stale_if_match_answers_412_and_keeps_newer_data(client: httpx.AsyncClient, auth_headers) -> None:
    workout = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
    url = f"/api/v1/workouts/{workout['id']}"
    first = await client.patch(url, json={"notes": "first"}, headers={**auth_headers, "If-Match": '"1"'})
    assert first.status_code == 200
    stale = await client.patch(url, json={"notes": "offline edit"}, headers={**auth_headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(url, headers=auth_headers)).json()["notes"] == "first"
    stale_delete = await client.delete(url, headers={**auth_headers, "If-Match": '"1"'})
    assert stale_delete.status_code == 412


async def test_delete_hides_the_workout(client: httpx.AsyncClient, auth_headers) -> None:
    workout = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
    url = f"/api/v1/workouts/{workout['id']}"
    deleted = await client.delete(url, headers=auth_headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(url, headers=auth_headers)).status_code == 404
    listed = (await client.get("/api/v1/workouts", headers=auth_headers)).json()["items"]
    assert workout["id"] not in {w["id"] for w in listed}


async def test_another_users_workout_is_404_on_read_update_delete(
    client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    workout = (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).json()
    url = f"/api/v1/workouts/{workout['id']}"
    assert (await client.get(url, headers=other_auth_headers)).status_code == 404
    assert (await client.patch(url, json={"notes": "mine now"}, headers=other_auth_headers)).status_code == 404
    assert (await client.delete(url, headers=other_auth_headers)).status_code == 404
    assert (await client.get("/api/v1/workouts", headers=other_auth_headers)).json()["items"] == []
    assert (await client.get(url, headers=auth_headers)).json()["notes"] is None


async def test_replayed_create_with_client_id_creates_one_workout(client: httpx.AsyncClient, auth_headers) -> None:
    body = workout_body(id=str(uuid.uuid4()))
    first = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
    again = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    items = (await client.get("/api/v1/workouts", headers=auth_headers)).json()["items"]
    assert [w["id"] for w in items] == [body["id"]]


async def test_client_id_of_another_user_is_a_conflict(
    client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    body = workout_body(id=str(uuid.uuid4()))
    assert (await client.post("/api/v1/workouts", json=body, headers=auth_headers)).status_code == 201
    taken = await client.post("/api/v1/workouts", json=body, headers=other_auth_headers)
    assert taken.status_code == 409
    assert "distance_km" not in taken.text  # nothing of the owner's record leaks


async def test_writes_are_validated(client: httpx.AsyncClient, auth_headers) -> None:
    cases = {
        "duration_min": workout_body(duration_min=0),
        "activity": workout_body(activity="teleporting"),
        "started_at": workout_body(started_at=iso(datetime.now(UTC) + timedelta(days=3))),
        "notes": workout_body(notes="x" * 2001),
        "exercises.0.sets.0.reps": workout_body(exercises=[{"name": "Row", "sets": [{"reps": -1}]}]),
    }
    cases["duration_min: 3 days"] = workout_body(duration_min=3 * 24 * 60)
    cases["started_at: before 1970"] = workout_body(started_at="1960-05-01T08:00:00Z")
    cases["started_at: no offset"] = workout_body(started_at="2024-05-01T08:00:00")
    cases["distance_km: negative"] = workout_body(distance_km=-1)
    cases["exercises: too many"] = workout_body(exercises=[{"name": f"e{n}", "sets": []} for n in range(51)])
    cases["exercises.0.name: too long"] = workout_body(exercises=[{"name": "x" * 101, "sets": []}])
    for case, body in cases.items():
        response = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
        assert response.status_code == 422, (case, response.text)
        field = case.split(":")[0]
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    unknown = await client.post("/api/v1/workouts", json={**workout_body(), "owner": "me"}, headers=auth_headers)
    assert unknown.status_code == 422

    created = await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)
    url = f"/api/v1/workouts/{created.json()['id']}"
    for field, change in (("duration_min", {"duration_min": 3 * 24 * 60}), ("duration_min", {"duration_min": 0}),
                          ("started_at", {"started_at": None}), ("notes", {"notes": "x" * 2001})):
        response = await client.patch(url, json=change, headers=auth_headers)
        assert response.status_code == 422, (change, response.text)
        assert response.json()["errors"][0]["field"] == field
    assert (await client.get(url, headers=auth_headers)).json()["version"] == 1
