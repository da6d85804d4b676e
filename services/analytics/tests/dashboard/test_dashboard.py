"""GET /api/v1/analytics/dashboard against a hand-computed DST week, empty days, caching and invalidation (a
new time zone included), a hit without the database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from analytics_scenario import DASHBOARD, NOW, check_berlin_week, fill_berlin_week
from core_rows import CoreRows
from fastapi import FastAPI

from fitjourney_analytics.deps import get_core_reader
from fitjourney_common.events.contracts import ProfileState, ProfileUpdated
from fitjourney_common.events.envelope import new_event
from fitjourney_common.testing.polling import poll_until
from fitjourney_common.testing.tokens import TestSigner


async def test_a_week_across_the_dst_change_matches_the_hand_computed_figures(
    client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    user_id, other = uuid.uuid4(), uuid.uuid4()
    await fill_berlin_week(core_rows, user_id, other)
    clock.now = NOW
    response = await client.get(DASHBOARD, params={"period": "week"}, headers=signer.headers(user_id))
    assert response.status_code == 200, response.text
    check_berlin_week(response.json())


async def test_a_new_user_gets_every_day_empty(client: httpx.AsyncClient, signer: TestSigner, clock: Any) -> None:
    clock.now = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
    response = await client.get(DASHBOARD, params={"period": "month"}, headers=signer.headers())
    body = response.json()
    assert response.status_code == 200
    assert len(body["days"]) == 30 and body["time_zone"] == "UTC"
    assert all(day["kcal_in"] == 0 and day["weight_kg"] is None for day in body["days"])
    assert body["weight"]["direction"] == "unknown" and body["targets"] is None
    assert body["habits"]["completion_rate"] is None and body["adherence"]["food_logging_rate"] == 0


async def test_bad_period_and_no_token_are_refused(client: httpx.AsyncClient, signer: TestSigner) -> None:
    response = await client.get(DASHBOARD, params={"period": "decade"}, headers=signer.headers())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "period" in response.text
    assert (await client.get(DASHBOARD)).status_code == 401


async def test_cached_until_an_event_about_the_users_data_arrives(
    app: FastAPI, client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    user_id = uuid.uuid4()
    clock.now = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
    await core_rows.food(user_id, datetime(2024, 5, 15, 8, 0, tzinfo=UTC), 600)
    headers = signer.headers(user_id)
    first = (await client.get(DASHBOARD, headers=headers)).json()
    second = (await client.get(DASHBOARD, headers=headers)).json()
    assert (first["cached"], second["cached"]) == (False, True)
    assert second["totals"]["kcal_in"] == 600

    # Core writes a log and announces it; until the event arrives the cache may answer the old figure.
    log_id = await core_rows.food(user_id, datetime(2024, 5, 15, 9, 0, tzinfo=UTC), 250)
    await app.state.runtime.bus.publish([new_event("food_log.created", {
        "food_log_id": str(log_id), "user_id": str(user_id), "version": 1, "dates": ["2024-05-15"],
        "after": {"eaten_at": "2024-05-15T09:00:00Z", "meal": "lunch", "food_name": "Fixture food", "grams": 100,
                  "kcal": 250, "protein_g": 0, "carbs_g": 0, "fat_g": 0}})])

    async def refreshed() -> bool:
        body = (await client.get(DASHBOARD, headers=headers)).json()
        return body["totals"]["kcal_in"] == 850 and not body["cached"]

    await poll_until(refreshed)

    # A workout and its event.
    workout_id = await core_rows.workout(user_id, datetime(2024, 5, 15, 7, 0, tzinfo=UTC), 40)
    started = "2024-05-15T07:00:00Z"
    await app.state.runtime.bus.publish([new_event("workout.created", {
        "workout_id": str(workout_id), "user_id": str(user_id), "version": 1, "dates": ["2024-05-15"],
        "activity": "running", "duration_min": 40, "started_at": started,
        "after": {"started_at": started, "activity": "running", "duration_min": 40}})])

    async def workout_counted() -> bool:
        body = (await client.get(DASHBOARD, headers=headers)).json()
        return body["totals"]["workouts"] == 1 and body["totals"]["workout_minutes"] == 40 and not body["cached"]

    await poll_until(workout_counted)
    # A hit answers the body as it was computed, marked cached.
    await app.state.runtime.dashboard_cache.invalidate(user_id)
    computed = (await client.get(DASHBOARD, headers=headers)).json()
    assert (await client.get(DASHBOARD, headers=headers)).json() == {**computed, "cached": True}


async def test_todays_dashboard_follows_a_new_time_zone(
    app: FastAPI, client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    # 23:30 UTC on 15 May is already 01:30 on the 16th in Berlin: the week ends on another day in each zone.
    user_id = uuid.uuid4()
    await core_rows.profile(user_id, "Europe/Berlin")
    clock.now = datetime(2024, 5, 15, 23, 30, tzinfo=UTC)
    headers = signer.headers(user_id)
    first = (await client.get(DASHBOARD, headers=headers)).json()
    second = (await client.get(DASHBOARD, headers=headers)).json()
    assert (first["time_zone"], first["to"], first["cached"]) == ("Europe/Berlin", "2024-05-16", False)
    assert (second["time_zone"], second["to"], second["cached"]) == ("Europe/Berlin", "2024-05-16", True)
    trends = "/api/v1/analytics/trends"
    week_of_weight = {"metric": "weight", "period": "week"}
    assert (await client.get(trends, params=week_of_weight, headers=headers)).json()["time_zone"] == "Europe/Berlin"

    # The user moves to UTC; core announces it. The zone cached beside the dashboards is not used after that.
    await core_rows.set_time_zone(user_id, "UTC")
    state = {"activity_level": "sedentary", "goal": "maintain", "units": "metric"}
    await app.state.runtime.bus.publish([new_event(ProfileUpdated.event_type, ProfileUpdated(
        user_id=user_id, version=2, before=ProfileState(**state, time_zone="Europe/Berlin"),
        after=ProfileState(**state, time_zone="UTC")).model_dump(mode="json"))])

    async def moved() -> bool:
        body = (await client.get(DASHBOARD, headers=headers)).json()
        return (body["time_zone"], body["to"], body["cached"]) == ("UTC", "2024-05-15", False)

    await poll_until(moved)
    again = (await client.get(DASHBOARD, headers=headers)).json()
    assert (again["time_zone"], again["to"], again["cached"]) == ("UTC", "2024-05-15", True)
    # The trend cached in Berlin is recomputed in UTC too (its days end on the 15th).
    trend = (await client.get(trends, params=week_of_weight, headers=headers)).json()
    assert trend["time_zone"] == "UTC"


class NoDatabase:
    """A core reader that fails the request if it is asked anything."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a cached answer read core's {name}")


async def test_a_cached_dashboard_is_answered_without_the_database(
    app: FastAPI, client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    user_id = uuid.uuid4()
    await core_rows.profile(user_id, "America/New_York")
    clock.now = datetime(2024, 5, 15, 2, 0, tzinfo=UTC)  # still the 14th in New York
    headers = signer.headers(user_id)
    computed = (await client.get(DASHBOARD, headers=headers)).json()
    assert (computed["to"], computed["cached"]) == ("2024-05-14", False)
    app.dependency_overrides[get_core_reader] = NoDatabase
    try:
        assert (await client.get(DASHBOARD, headers=headers)).json() == {**computed, "cached": True}
    finally:
        del app.dependency_overrides[get_core_reader]
