"""Trends from ai's read model: 28 days of food logs and weigh-ins sent as core's events give the measured
expenditure, the goal date and the calorie-target recommendation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from ai_conftest import WaitFor
from ai_helpers import Wire, mirrored_rows

from fitjourney_ai.readmodel.models import BodyWeight, FoodEntry
from fitjourney_common.events.envelope import new_event

NOISE = [0.0, 0.6, -0.4, 0.9, -0.7, 0.2, -0.3, 0.8, -0.9, 0.1, 0.5, -0.6, 0.3, -0.2]


async def test_expenditure_from_intake_and_weight_events(app: Any, client: httpx.AsyncClient, wire: Wire,
                                                         wait_for: WaitFor, make_headers: Any) -> None:
    headers = make_headers(None)
    user_id = headers.user_id
    today = dt.datetime.now(dt.UTC).date()
    events = [new_event("profile.created", {"user_id": user_id, "version": 1, "after": {
        "birth_date": "1990-04-01", "sex": "female", "height_cm": 168, "activity_level": "moderate", "goal": "lose",
        "target_weight_kg": 66, "weekly_rate_kg": 0.5, "units": "metric", "time_zone": "UTC"}}, user_id)]
    for i in range(28):
        day = today - dt.timedelta(days=27 - i)
        noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
        events.append(new_event("food_log.created", {
            "food_log_id": uuid.uuid4(), "user_id": user_id, "version": 1, "dates": [day], "after": {
                "eaten_at": noon, "meal": "lunch", "food_name": "x", "grams": 800, "kcal": 2200, "protein_g": 70,
                "carbs_g": 250, "fat_g": 80}}, user_id))
        events.append(new_event("body_metric.created", {
            "metric_id": uuid.uuid4(), "user_id": user_id, "version": 1, "dates": [day], "after": {
                "measured_at": noon - dt.timedelta(hours=5), "weight_kg": 72.0 - 0.5 / 7 * i + NOISE[i % 14]}},
            user_id))
    await wire.publish(events)  # type: ignore[attr-defined]
    await wait_for(lambda: mirrored_rows(app, FoodEntry, user_id, 28), timeout=30)
    await wait_for(lambda: mirrored_rows(app, BodyWeight, user_id, 28), timeout=30)

    trend = (await client.get("/api/v1/ai/trends", headers=headers)).json()
    assert trend["logged_days"] == 28 and trend["missing"] == []
    assert trend["weight_trend_kg_per_week"] == pytest.approx(-0.5, abs=0.06)
    # 2,200 kcal eaten + 0.5 kg/week x 7,700 kcal/kg / 7 = 2,750 kcal a day
    assert trend["estimated_expenditure_kcal"] == pytest.approx(2750, abs=60)
    assert trend["goal_status"] == "on track" and trend["goal_date"] > today.isoformat()
    assert trend["formula_maintenance_kcal"] is not None and trend["explanation"]

    items = (await client.get("/api/v1/ai/recommendations", headers=headers)).json()["items"]
    kinds = {item["kind"]: item for item in items}
    assert "calorie_target" in kinds and kinds["calorie_target"]["numbers"]["change_kcal"] > 0
    assert "protein" in kinds  # 70 g a day against ~1.6 g/kg
