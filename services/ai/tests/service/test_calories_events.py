"""A workout event on RabbitMQ gets its calories back: `workout.calories_estimated` on the wire, with the
weight ai learnt from body-metric events and the revision echoed; the synchronous endpoint agrees."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from ai_conftest import WaitFor
from ai_helpers import Wire, mirrored_rows, weight_event, workout_event

from fitjourney_ai.readmodel.models import BodyWeight
from fitjourney_common.events.envelope import new_event


async def test_a_workout_gets_its_calories_with_the_weight_at_its_time(
    app: Any, wire: Wire, wait_for: WaitFor,
) -> None:
    user_id, workout_id = uuid.uuid4(), uuid.uuid4()
    await wire.publish([  # type: ignore[attr-defined]
        weight_event(user_id, 70.0, dt.datetime(2026, 11, 29, 7, tzinfo=dt.UTC)),
        weight_event(user_id, 90.0, dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)),   # after the workout: not used
    ])
    # Events of one queue are handled concurrently: the weighings must be in before the workout comes.
    await wait_for(lambda: mirrored_rows(app, BodyWeight, user_id, 2))
    await wire.publish([workout_event(user_id, workout_id, revision=3, weight_kg=88.0)])  # type: ignore[attr-defined]
    [answer] = await wait_for(lambda: wire.of("workout.calories_estimated", workout_id=workout_id))
    # 10 km/h for an hour at 70 kg (the weighing before the workout): 10.0137 MET x 70 x 1 = 700.96 kcal
    assert answer.data["calories_burned"] == pytest.approx(701.0, abs=0.1)
    assert answer.data["net_calories"] == pytest.approx(631.0, abs=0.1)
    assert answer.data["method"] == "compendium_met_speed"
    assert answer.data["estimate_revision"] == 3
    assert answer.user_id == user_id


async def test_a_workout_without_any_weighing_uses_the_events_weight(app: Any, wire: Wire, wait_for: WaitFor) -> None:
    user_id, workout_id = uuid.uuid4(), uuid.uuid4()
    await wire.publish([workout_event(user_id, workout_id, activity="yoga", duration_min=30,  # type: ignore[attr-defined]
                                      distance_km=None, weight_kg=60.0)])
    [answer] = await wait_for(lambda: wire.of("workout.calories_estimated", workout_id=workout_id))
    assert answer.data["method"] == "compendium_met"
    assert answer.data["calories_burned"] > 0


async def test_the_answer_says_why_when_the_estimate_rests_on_a_reference(app: Any, wire: Wire,
                                                                      wait_for: WaitFor) -> None:
    user_id, workout_id = uuid.uuid4(), uuid.uuid4()
    await wire.publish([workout_event(user_id, workout_id, activity="yoga", duration_min=30,  # type: ignore[attr-defined]
                                      distance_km=None)])
    [answer] = await wait_for(lambda: wire.of("workout.calories_estimated", workout_id=workout_id))
    assert any("reference 70 kg" in note for note in answer.data["notes"]), answer.data


async def test_an_edit_that_needs_no_estimate_gets_no_answer(app: Any, wire: Wire, wait_for: WaitFor) -> None:
    user_id, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    quiet = workout_event(user_id, first, event_type="workout.updated", version=2)
    quiet.data["estimate_needed"] = False
    await wire.publish([quiet, workout_event(user_id, second)])  # type: ignore[attr-defined]
    await wait_for(lambda: wire.of("workout.calories_estimated", workout_id=second))
    assert wire.of("workout.calories_estimated", workout_id=first) == []


async def test_heart_rate_and_profile_give_keytel(app: Any, client: httpx.AsyncClient, wire: Wire,
                                                 wait_for: WaitFor, make_headers: Any) -> None:
    headers = make_headers(None)
    user_id = headers.user_id
    await wire.publish([new_event("profile.created", {  # type: ignore[attr-defined]
        "user_id": user_id, "version": 1, "after": {
            "birth_date": "1996-01-15", "sex": "male", "height_cm": 180, "activity_level": "moderate",
            "goal": "maintain", "units": "metric", "time_zone": "Europe/Berlin"}}, user_id)])

    async def answered() -> Any:
        response = await client.post("/api/v1/ai/calorie-estimate", headers=headers, json={
            "activity": "running", "duration_min": 60, "distance_km": 10, "avg_heart_rate": 140, "weight_kg": 70,
            "started_at": "2026-11-30T07:00:00Z"})
        assert response.status_code == 200, response.text
        return response.json() if response.json()["method"] == "keytel_2005_hr" else None

    body = await wait_for(answered)
    # 30 years old on the day: (-55.0969 + 0.6309 x 140 + 0.1988 x 70 + 0.2017 x 30) / 4.184 x 60 = 762.9
    assert body["gross_kcal"] == pytest.approx(762.9, abs=0.1)


async def test_calorie_estimate_validates_and_needs_a_token(client: httpx.AsyncClient, auth_headers: Any) -> None:
    assert (await client.post("/api/v1/ai/calorie-estimate", json={"activity": "running"})).status_code == 401
    response = await client.post("/api/v1/ai/calorie-estimate", headers=auth_headers,
                                 json={"activity": "running", "duration_min": -5})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "duration_min" in response.text
