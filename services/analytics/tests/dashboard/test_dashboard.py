"""GET /api/v1/analytics/dashboard against a hand-computed DST week, empty days, caching and invalidation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from core_rows import CoreRows
from fastapi import FastAPI
from scenario import EXPECTED_EMA, EXPECTED_TARGETS, EXPECTED_WEEKLY_RATE, NOW, fill_berlin_week

from conftest import poll_until
from fitjourney_common.events.envelope import new_event
from fitjourney_common.testing.tokens import TokenSigner

DASHBOARD = "/api/v1/analytics/dashboard"


def by_date(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in body["days"]}


def check_berlin_week(body: dict[str, Any]) -> None:
    """The figures of scenario.fill_berlin_week, worked out by hand (see scenario.py)."""
    assert (body["from"], body["to"], body["time_zone"]) == ("2024-03-25", "2024-03-31", "Europe/Berlin")
    days = by_date(body)
    assert list(days) == [f"2024-03-{d}" for d in range(25, 32)]  # every day, empty ones included
    assert [days[f"2024-03-{d}"]["kcal_in"] for d in range(25, 32)] == [400, 0, 0, 0, 0, 500, 1000]
    assert [days[f"2024-03-{d}"]["food_logs"] for d in range(25, 32)] == [1, 0, 0, 0, 0, 1, 2]
    assert days["2024-03-31"]["protein_g"] == 40 and days["2024-03-31"]["fat_g"] == 25
    assert [days[f"2024-03-{d}"]["workout_minutes"] for d in range(25, 32)] == [0, 90, 0, 0, 45, 0, 0]
    assert days["2024-03-26"]["kcal_out"] == 300 and days["2024-03-26"]["workouts"] == 2
    assert days["2024-03-28"]["weight_kg"] is None and days["2024-03-28"]["mood"] is None  # no data, not zero
    assert days["2024-03-29"]["weight_kg"] == 79.4
    assert {d: days[d]["weight_ema_kg"] for d in EXPECTED_EMA} == EXPECTED_EMA
    assert [(days[f"2024-03-{d}"]["habits_done"], days[f"2024-03-{d}"]["habits_scheduled"])
            for d in range(25, 32)] == [(1, 1), (1, 1), (2, 2), (0, 1), (1, 2), (1, 1), (0, 0)]

    assert body["totals"] == {
        "kcal_in": 1900.0, "kcal_out": 750.0, "protein_g": 70.0, "carbs_g": 200.0, "fat_g": 55.0,
        "workout_minutes": 135.0, "food_logs": 4, "workouts": 3,
        "by_activity": {"running": {"workouts": 2, "minutes": 75.0, "kcal_out": 750.0},
                        "yoga": {"workouts": 1, "minutes": 60.0, "kcal_out": 0.0}},
    }
    assert body["targets"] == EXPECTED_TARGETS
    kcal = body["macros_vs_targets"]["kcal"]
    assert kcal["average_per_logged_day"] == pytest.approx(633.33) and kcal["target"] == 1797
    assert kcal["ratio"] == pytest.approx(0.352)  # 633.33 / 1797

    weight = body["weight"]
    assert (weight["latest_kg"], weight["ema_kg"], weight["change_kg"]) == (79.0, 79.36, -1.0)
    assert weight["weekly_rate_kg"] == pytest.approx(EXPECTED_WEEKLY_RATE, abs=1e-3)
    low, high = weight["weekly_rate_ci_kg"]
    assert low <= EXPECTED_WEEKLY_RATE <= high
    assert weight["weighings"] == 4
    assert body["body_fat"] == {"latest_pct": 24.5, "change_pct": -0.5, "measurements": 2}

    habits = body["habits"]
    assert (habits["done"], habits["scheduled"], habits["completion_rate"]) == (6, 8, 0.75)
    items = {item["name"]: item for item in habits["items"]}
    assert (items["Stretch"]["done"], items["Stretch"]["scheduled"]) == (5, 6)
    assert (items["Stretch"]["current_streak"], items["Stretch"]["longest_streak"]) == (2, 3)
    assert (items["Gym"]["done"], items["Gym"]["scheduled"], items["Gym"]["current_streak"]) == (1, 2, 0)
    assert body["journal"] == {"entries": 2, "mood_average": 3.0, "energy_average": 4.0}
    assert body["adherence"] == {"days": 7, "days_with_food": 3, "food_logging_rate": 0.429, "days_with_weight": 4}
    assert len(body["weeks"]) == 1 and body["weeks"][0]["week_start"] == "2024-03-25"
    assert body["weeks"][0]["kcal_in"] == 1900 and body["weeks"][0]["days"] == 7


async def test_a_week_across_the_dst_change_matches_the_hand_computed_figures(
    client: httpx.AsyncClient, core_rows: CoreRows, signer: TokenSigner, clock: Any,
) -> None:
    user_id, other = uuid.uuid4(), uuid.uuid4()
    await fill_berlin_week(core_rows, user_id, other)
    clock.now = NOW
    response = await client.get(DASHBOARD, params={"period": "week"}, headers=signer.headers(user_id))
    assert response.status_code == 200, response.text
    check_berlin_week(response.json())


async def test_a_new_user_gets_every_day_empty(client: httpx.AsyncClient, signer: TokenSigner, clock: Any) -> None:
    clock.now = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
    response = await client.get(DASHBOARD, params={"period": "month"}, headers=signer.headers())
    body = response.json()
    assert response.status_code == 200
    assert len(body["days"]) == 30 and body["time_zone"] == "UTC"
    assert all(day["kcal_in"] == 0 and day["weight_kg"] is None for day in body["days"])
    assert body["weight"]["direction"] == "unknown" and body["targets"] is None
    assert body["habits"]["completion_rate"] is None and body["adherence"]["food_logging_rate"] == 0


async def test_bad_period_and_no_token_are_refused(client: httpx.AsyncClient, signer: TokenSigner) -> None:
    response = await client.get(DASHBOARD, params={"period": "decade"}, headers=signer.headers())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "period" in response.text
    assert (await client.get(DASHBOARD)).status_code == 401


async def test_cached_until_an_event_about_the_users_data_arrives(
    app: FastAPI, client: httpx.AsyncClient, core_rows: CoreRows, signer: TokenSigner, clock: Any,
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
    await app.state.bus.publish([new_event("food.logged", {
        "food_log_id": str(log_id), "user_id": str(user_id), "kcal": 250, "eaten_at": "2024-05-15T09:00:00Z",
        "meal": "lunch"})])

    async def refreshed() -> bool:
        body = (await client.get(DASHBOARD, headers=headers)).json()
        return body["totals"]["kcal_in"] == 850 and not body["cached"]

    await poll_until(refreshed)
